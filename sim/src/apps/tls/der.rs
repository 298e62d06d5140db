//! Just enough DER (ITU-T X.690) to build a structurally valid X.509 certificate of a
//! realistic size, so a TLS 1.2 capture shows a certificate chain Wireshark can read.
//! The keys and signatures are seeded random bytes, not real cryptography.

use crate::rng::Rng;

/// Tag-length-value with DER's definite length.
pub fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    let n = body.len();
    if n < 0x80 {
        v.push(n as u8);
    } else if n < 0x100 {
        v.extend([0x81, n as u8]);
    } else {
        v.extend([0x82, (n >> 8) as u8, n as u8]);
    }
    v.extend_from_slice(body);
    v
}

/// SEQUENCE of the concatenated parts.
pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

const SHA256_WITH_RSA: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const RSA_ENCRYPTION: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const COMMON_NAME: &[u8] = &[0x06, 0x03, 0x55, 0x04, 0x03];
const SUBJECT_ALT_NAME: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x11];
const NULL: &[u8] = &[0x05, 0x00];

fn name(cn: &str) -> Vec<u8> {
    seq(&[tlv(0x31, &seq(&[COMMON_NAME.to_vec(), tlv(0x0c, cn.as_bytes())]))])
}

fn random(rng: &mut Rng, n: usize) -> Vec<u8> {
    (0..n).map(|_| rng.next_u32() as u8).collect()
}

/// A certificate for `subject` issued by `issuer`, with a 2048-bit RSA key and signature.
pub fn certificate(rng: &mut Rng, subject: &str, issuer: &str, san: Option<&str>) -> Vec<u8> {
    let alg = seq(&[SHA256_WITH_RSA.to_vec(), NULL.to_vec()]);
    let mut serial = random(rng, 16);
    serial[0] &= 0x7f;
    let mut modulus = vec![0u8];
    modulus.extend(random(rng, 256));
    modulus[1] |= 0x80;
    let rsa_key = seq(&[tlv(0x02, &modulus), tlv(0x02, &[0x01, 0x00, 0x01])]);
    let spki = seq(&[seq(&[RSA_ENCRYPTION.to_vec(), NULL.to_vec()]), tlv(0x03, &[&[0u8][..], &rsa_key].concat())]);
    let validity = seq(&[tlv(0x17, b"260101000000Z"), tlv(0x17, b"270101000000Z")]);
    let mut tbs = vec![
        tlv(0xa0, &tlv(0x02, &[0x02])),
        tlv(0x02, &serial),
        alg.clone(),
        name(issuer),
        validity,
        name(subject),
        spki,
    ];
    if let Some(dns) = san {
        let names = seq(&[tlv(0x82, dns.as_bytes())]);
        let ext = seq(&[SUBJECT_ALT_NAME.to_vec(), tlv(0x04, &names)]);
        tbs.push(tlv(0xa3, &seq(&[ext])));
    }
    let signature = tlv(0x03, &[&[0u8][..], &random(rng, 256)].concat());
    seq(&[seq(&tbs), alg, signature])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_use_the_right_form() {
        assert_eq!(tlv(0x04, &[1, 2]), [0x04, 2, 1, 2]);
        assert_eq!(&tlv(0x04, &[0; 200])[..3], &[0x04, 0x81, 200]);
        assert_eq!(&tlv(0x04, &[0; 300])[..4], &[0x04, 0x82, 0x01, 0x2c]);
    }

    #[test]
    fn a_certificate_is_one_well_formed_sequence_of_realistic_size() {
        let c = certificate(&mut Rng::new(1), "api.example.com", "Example CA", Some("api.example.com"));
        assert_eq!(c[0], 0x30);
        assert_eq!(c[1], 0x82);
        let len = u16::from_be_bytes([c[2], c[3]]) as usize;
        assert_eq!(len + 4, c.len(), "outer length covers the rest exactly");
        assert!((650..1100).contains(&c.len()), "{}", c.len());
    }
}

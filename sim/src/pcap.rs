//! Export of a run's frames as a classic libpcap file that Wireshark and tshark open.
//!
//! The file uses LINKTYPE_ETHERNET (1) and nanosecond timestamps (magic 0xa1b23c4d), since
//! virtual time is counted in nanoseconds; Wireshark, tshark and tcpdump read it natively.
//! Timestamps are the virtual instants, i.e. seconds since the start of the run (1970-01-01
//! in a viewer's absolute-time column).

use crate::time::Instant;
use crate::trace::FrameRecord;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::{DataLink, Endianness, TsResolution};
use std::io;

/// Writes `frames` as a pcap file with the given snap length. Each record's captured length
/// is `bytes.len()` and its original length `orig_len`. A record longer than `snaplen` is cut
/// to `snaplen` bytes, and an original length below the captured length is raised to it, so
/// the file is always well formed.
pub fn write_pcap<'a, W: io::Write>(
    w: W,
    snaplen: u32,
    frames: impl IntoIterator<Item = (Instant, &'a FrameRecord)>,
) -> io::Result<()> {
    let header = PcapHeader {
        version_major: 2,
        version_minor: 4,
        ts_correction: 0,
        ts_accuracy: 0,
        snaplen,
        datalink: DataLink::ETHERNET,
        ts_resolution: TsResolution::NanoSecond,
        endianness: Endianness::Little,
    };
    let mut writer = PcapWriter::with_header(w, header).map_err(to_io)?;
    for (at, rec) in frames {
        let cap = rec.bytes.len().min(snaplen as usize);
        let data = &rec.bytes[..cap];
        let orig_len = rec.orig_len.max(cap as u32);
        let ts = std::time::Duration::from_nanos(at.as_nanos());
        writer.write_packet(&PcapPacket::new(ts, orig_len, data)).map_err(to_io)?;
    }
    writer.into_writer().flush()
}

fn to_io(e: pcap_file::PcapError) -> io::Error {
    match e {
        pcap_file::PcapError::IoError(e) => e,
        other => io::Error::other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pcap_file::pcap::PcapReader;

    #[test]
    fn writes_readable_records() {
        let rec = FrameRecord { bytes: vec![0xaa; 100], orig_len: 100 };
        let mut out = Vec::new();
        let at = [Instant(1_500_000_123), Instant(2_000_000_000)];
        write_pcap(&mut out, 64, at.iter().map(|&t| (t, &rec))).unwrap();
        assert_eq!(&out[..4], &0xa1b2_3c4du32.to_le_bytes());
        let mut r = PcapReader::new(&out[..]).unwrap();
        assert_eq!(r.header().snaplen, 64);
        // Read raw records: pcap-file's checked reader refuses orig_len > snaplen, which is
        // exactly what a snapped capture holds.
        let p = r.next_raw_packet().unwrap().unwrap();
        assert_eq!((p.ts_sec, p.ts_frac), (1, 500_000_123));
        assert_eq!((p.incl_len, p.orig_len, p.data.len()), (64, 100, 64));
        let p = r.next_raw_packet().unwrap().unwrap();
        assert_eq!((p.ts_sec, p.ts_frac), (2, 0));
        assert!(r.next_raw_packet().is_none());
    }
}

// Repeats the records of a pcap (timestamps shifted so they keep increasing) until the file
// holds at least the asked number of megabytes: a large capture for the import benchmark.
//   node e2e/bench/make-big-pcap.mjs <in.pcap> <out.pcap> <megabytes>
import fs from 'node:fs';

const [input, output, megabytes] = process.argv.slice(2);
const d = fs.readFileSync(input);
if (d.readUInt32LE(0) !== 0xa1b23c4d && d.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('a little-endian pcap is needed');
const records = [];
let span = 0;
for (let i = 24; i + 16 <= d.length;) {
  const incl = d.readUInt32LE(i + 8);
  records.push(d.subarray(i, i + 16 + incl));
  span = Math.max(span, d.readUInt32LE(i));
  i += 16 + incl;
}
const out = [d.subarray(0, 24)];
let total = 24;
for (let copy = 0; total < Number(megabytes) * 1e6; copy++) {
  for (const r of records) {
    const c = Buffer.from(r);
    c.writeUInt32LE(c.readUInt32LE(0) + copy * (span + 1), 0);
    out.push(c);
    total += c.length;
  }
}
fs.writeFileSync(output, Buffer.concat(out));
console.log(`${output}: ${(total / 1e6).toFixed(1)} MB`);

/**
 * Bounded reading of what containers print: a sink that stops at 1 MB, and the engine's
 * stdout/stderr framing taken off a logs buffer.
 */

/** At most this much of a file or a command's output is read. */
export const MAX_READ = 1024 * 1024;

export class BoundedSink {
  private chunks: Buffer[] = [];
  private size = 0;
  /** false once the bound is reached. */
  push(chunk: Buffer): boolean {
    if (this.size >= MAX_READ) return false;
    const room = MAX_READ - this.size;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(part);
    this.size += part.length;
    return this.size < MAX_READ;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * Container logs of a container without a TTY come in frames (8-byte header: stream, 0, 0, 0,
 * big-endian length). Strip the headers when the whole buffer is frames; otherwise it is raw.
 */
export function demuxBuffer(buf: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buf.length) {
    const streamType = buf[offset];
    if ((streamType !== 0 && streamType !== 1 && streamType !== 2) || buf[offset + 1] !== 0 || buf[offset + 2] !== 0 || buf[offset + 3] !== 0) {
      return buf.toString('utf8');
    }
    const size = buf.readUInt32BE(offset + 4);
    if (offset + 8 + size > buf.length) return buf.toString('utf8');
    parts.push(buf.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  if (offset !== buf.length) return buf.toString('utf8');
  return Buffer.concat(parts).toString('utf8');
}


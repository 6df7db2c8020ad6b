// Reading a small input file named by the user (a kubeconfig, a certificate, a token) without
// letting the file decide how long or how much: a device such as /dev/zero never ends and a socket
// cannot be read, so both are refused by type; a regular file or a FIFO (process substitution,
// `--kubeconfig <(vault read …)`) is read up to a byte limit. A FIFO whose writer stalls still
// waits for it, as kubectl does; Ctrl-C ends that wait.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** Why a bounded read failed, in words for a message: "is a character device", "is larger than 16 MiB". */
export class BoundedReadError extends Error {
  override readonly name = 'BoundedReadError';
}

/** The bytes of `path`, a regular file or a FIFO of at most `maxBytes`; throws BoundedReadError or the file system's error. */
export async function readBounded(path: string, maxBytes: number): Promise<Buffer> {
  const info = await stat(path);
  const kind = info.isCharacterDevice()
    ? 'a character device'
    : info.isBlockDevice()
      ? 'a block device'
      : info.isSocket()
        ? 'a socket'
        : info.isDirectory()
          ? 'a directory'
          : undefined;
  if (kind !== undefined) throw new BoundedReadError(`is ${kind}, not a file`);
  if (info.isFile() && info.size > maxBytes) throw new BoundedReadError(`is larger than ${sizeText(maxBytes)} (${sizeText(info.size)})`);
  const chunks: Buffer[] = [];
  let total = 0;
  // A FIFO, or a file that grows while it is read, is cut off at the limit.
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    const bytes = chunk as Buffer;
    total += bytes.length;
    if (total > maxBytes) throw new BoundedReadError(`is larger than ${sizeText(maxBytes)}`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total);
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`
    : bytes >= 1024
      ? `${Math.round(bytes / 1024)} KiB`
      : `${bytes} bytes`;
}

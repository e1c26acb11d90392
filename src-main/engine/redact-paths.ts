/**
 * Error text from onnxruntime and the file system names absolute paths
 * ("Load model from /home/ana/models/x/unet/model.onnx failed"). Clients see
 * the message without them (the last two parts stay, enough to tell which
 * file); the full text goes to the studio's log.
 */
const POSIX_PATH = /(?<![\w.])(?:\/[^\s/:'"()]+){2,}/g;
const WINDOWS_PATH = /\b[A-Za-z]:(?:\\[^\s\\:'"()]+){2,}/g;

const lastTwo = (p: string, sep: string) => `…${sep}${p.split(sep).slice(-2).join(sep)}`;

export function redactPaths(message: string): string {
  return message.replace(POSIX_PATH, (p) => lastTwo(p, '/')).replace(WINDOWS_PATH, (p) => lastTwo(p, '\\'));
}

/** Saves base64 file data through the browser's download (both shells). */
export function download(name: string, base64: string): void {
  const a = document.createElement('a');
  a.href = `data:application/octet-stream;base64,${base64}`;
  a.download = name;
  a.click();
}

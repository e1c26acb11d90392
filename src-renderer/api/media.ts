/**
 * URLs for gallery files (paths relative to the gallery folder): Electron's
 * studio-media:// protocol in the desktop app, the host's /media route (with
 * its token) in the browser.
 */
export function mediaUrl(rel: string): string {
  if (window.studio) return `studio-media://media/${rel}`;
  const token = new URLSearchParams(window.location.search).get('token');
  return `/media/${rel}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

/**
 * The few Hugging Face Hub routes the installer uses: a repository's file
 * list at a revision (with sizes and the sha256 of large files) and file
 * downloads with HTTP Range. The Hub address honours HF_ENDPOINT, as
 * huggingface_hub does; HF_TOKEN (or a stored token) opens gated repos.
 */
import { StudioError } from '../../src-shared/domain/errors.js';

export interface HubFile {
  path: string;
  size: number;
  /** sha256 of LFS files, which the Hub publishes. */
  sha256: string | null;
}

export interface HubRevision {
  /** The commit the revision resolved to: downloads pin it, so a resume never mixes commits. */
  sha: string;
  files: HubFile[];
}

export function hubEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return (env.HF_ENDPOINT?.trim() || 'https://huggingface.co').replace(/\/+$/, '');
}

export class HubClient {
  constructor(
    readonly endpoint: string = hubEndpoint(),
    private readonly token: string | null = process.env.HF_TOKEN ?? null,
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
      'User-Agent': 'latent-studio',
      ...extra,
    };
  }

  async revision(repo: string, revision: string, signal?: AbortSignal): Promise<HubRevision> {
    const url = `${this.endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`;
    let res: Response;
    try {
      res = await fetch(url, { headers: this.headers(), signal });
    } catch (err) {
      if (signal?.aborted) throw new StudioError('CANCELLED', 'Install cancelled');
      throw new StudioError(
        'INTERNAL',
        `Cannot reach the model hub at ${this.endpoint} (${(err as Error).message}). Check the connection or HF_ENDPOINT.`,
      );
    }
    if (res.status === 401 || res.status === 403)
      throw new StudioError(
        'UNAUTHORIZED',
        `${repo} needs a Hugging Face token with access (gated or private repository)`,
      );
    if (res.status === 404)
      throw new StudioError('NOT_FOUND', `No repository ${repo} at revision ${revision} on ${this.endpoint}`);
    if (!res.ok) throw new StudioError('INTERNAL', `The hub answered ${res.status} for ${repo}`);
    const body = (await res.json()) as {
      sha?: string;
      siblings?: { rfilename: string; size?: number; lfs?: { sha256?: string; size?: number } }[];
    };
    if (!Array.isArray(body.siblings)) throw new StudioError('INTERNAL', `Unexpected answer from the hub for ${repo}`);
    return {
      sha: body.sha ?? revision,
      files: body.siblings.map((s) => ({
        path: s.rfilename,
        size: s.lfs?.size ?? s.size ?? -1,
        sha256: s.lfs?.sha256 ?? null,
      })),
    };
  }

  fileUrl(repo: string, sha: string, file: string): string {
    return `${this.endpoint}/${repo}/resolve/${sha}/${file.split('/').map(encodeURIComponent).join('/')}`;
  }
}

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AwsCredentials, signRequest } from '../../../lambdas/adapters/s3/sigv4';

/** One request as the fake S3 received it. */
export interface ReceivedRequest {
  method: string;
  /** The raw request target (path and query), as sent. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Whether the Authorization header matches a signature computed from what arrived. */
  signatureValid: boolean;
}

export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/** An S3 error document as S3 sends it (application/xml, x-amz-request-id). */
export const s3Error = (status: number, code: string, message: string, extra = ''): FakeAnswer => ({
  status,
  headers: { 'content-type': 'application/xml', 'x-amz-request-id': 'REQ123', 'x-amz-id-2': 'host-id' },
  body:
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>REQ123</RequestId>` +
    '<HostId>host-id</HostId></Error>',
});

/**
 * A local HTTP server standing in for S3 (path-style: /<bucket>/<key>): records every request, checks
 * its SigV4 signature against what actually arrived (so a header sent but signed differently, or a
 * path changed in transit, shows), and answers from a queue (default: 200 with an empty body).
 */
export class FakeS3 {
  readonly requests: ReceivedRequest[] = [];
  private readonly answers: FakeAnswer[] = [];
  private server?: Server;

  constructor(
    private readonly credentials: AwsCredentials,
    private readonly region: string,
  ) {}

  get endpoint(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Queues answers for the next requests, in order. */
  answer(...answers: FakeAnswer[]): void {
    this.answers.push(...answers);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        this.requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body,
          signatureValid: this.verify(req.method ?? '', req.url ?? '', req.headers),
        });
        const answer = this.answers.shift() ?? { status: 200 };
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private verify(method: string, target: string, headers: IncomingHttpHeaders): boolean {
    const auth = String(headers.authorization ?? '');
    const signedNames = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
    const amzDate = String(headers['x-amz-date'] ?? '');
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!m) return false;
    const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
    const extra: Record<string, string> = {};
    for (const name of signedNames) {
      if (!['host', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token'].includes(name))
        extra[name] = String(headers[name] ?? '');
    }
    const expected = signRequest(
      {
        method,
        host: String(headers.host),
        path: target.split('?')[0]!,
        headers: extra,
        payloadHash: String(headers['x-amz-content-sha256']),
      },
      { credentials: this.credentials, region: this.region, date },
    );
    return expected.authorization === auth;
  }
}

/**
 * Thin shell over @grpc/grpc-js for runtimes' gRPC sockets (containerd, CRI-O): unary calls and
 * server streams with hand-written (de)serializers, a deadline on every call, and errors that
 * say which socket and what went wrong in one line.
 */
import { Client, Metadata, credentials, status } from '@grpc/grpc-js';
import type { ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import type { Fields } from './protobuf.js';
import { decodeFields } from './protobuf.js';

export class GrpcSocket {
  private readonly client: Client;

  constructor(readonly socketPath: string) {
    this.client = new Client(`unix://${socketPath}`, credentials.createInsecure(), {
      // One attempt: a runtime that is down must not cost us retries and back-off.
      'grpc.enable_retries': 0,
      'grpc.initial_reconnect_backoff_ms': 100,
    });
  }

  /** `/pkg.Service/Method` with the request bytes; resolves with the decoded answer and its raw bytes. */
  unary(
    method: string,
    request: Uint8Array,
    headers: Record<string, string>,
    deadline: number,
  ): Promise<Fields> {
    return this.unaryRaw(method, request, headers, deadline).then(decodeFields);
  }

  unaryRaw(
    method: string,
    request: Uint8Array,
    headers: Record<string, string>,
    deadline: number,
  ): Promise<Uint8Array> {
    const md = new Metadata();
    for (const [k, v] of Object.entries(headers)) md.set(k, v);
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest<Uint8Array, Uint8Array>(
        method,
        (r) => Buffer.from(r),
        (b) => new Uint8Array(b),
        request,
        md,
        { deadline },
        (err, value) => (err ? reject(new Error(describeError(err))) : resolve(value ?? new Uint8Array())),
      );
    });
  }

  stream(method: string, request: Uint8Array, headers: Record<string, string>): ClientReadableStream<Fields> {
    const md = new Metadata();
    for (const [k, v] of Object.entries(headers)) md.set(k, v);
    return this.client.makeServerStreamRequest<Uint8Array, Fields>(
      method,
      (r) => Buffer.from(r),
      (b) => decodeFields(new Uint8Array(b)),
      request,
      md,
    );
  }

  close(): void {
    this.client.close();
  }
}

export function describeError(err: ServiceError): string {
  if (err.code === status.DEADLINE_EXCEEDED) return 'did not answer in time';
  if (err.code === status.UNAVAILABLE) return `not answering (${err.details || 'unavailable'})`;
  return err.details || err.message;
}

import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Requests Node's HTTP parser refuses before the app sees them (a URL or headers over Node's
 * 16 KB, bytes that are not HTTP/1.1, a client too slow to send its headers) are answered as the
 * app answers everything else: a JSON error that says what to change, then the connection is
 * closed. Node's own answer is a bare status line with no body.
 */
export function answerMalformedRequests(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // Nothing can be sent on a connection that is gone, nor once a response's headers are out
    // (the check Node's own handler makes, on the response attached to the socket).
    const attached = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || attached?.headersSent) {
      socket.destroy();
      return;
    }
    const answer = answerFor(error.code);
    const body = JSON.stringify({ error: answer.error, message: answer.message });
    socket.end(
      `HTTP/1.1 ${answer.status} ${answer.reason}\r\n` +
        'Content-Type: application/json; charset=UTF-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}

interface MalformedAnswer {
  status: number;
  reason: string;
  error: string;
  message: string;
}

function answerFor(code: string | undefined): MalformedAnswer {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        reason: 'Request Header Fields Too Large',
        error: 'headers_too_large',
        message: 'the request line and headers are over 16 KB: send a shorter URL, fewer or smaller cookies and headers',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        reason: 'Request Timeout',
        error: 'request_timeout',
        message: 'the request was not received in time: send it again, in one go',
      };
    default:
      return {
        status: 400,
        reason: 'Bad Request',
        error: 'malformed_request',
        message: 'the request is not valid HTTP/1.1: check the request line, the headers and the body framing',
      };
  }
}

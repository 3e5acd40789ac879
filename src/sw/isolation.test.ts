import { describe, expect, it } from 'vitest';
import { ISOLATION_HEADERS, withIsolationHeaders } from './isolation.ts';

describe('withIsolationHeaders(response, extra)', () => {
  it('adds COOP, COEP and CORP to a plain same-origin response and keeps status, type and body', async () => {
    const r = withIsolationHeaders(new Response('<p>hi</p>', { status: 200, statusText: 'OK', headers: { 'Content-Type': 'text/html' } }));
    expect(r.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    expect(r.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect(r.headers.get('Cross-Origin-Resource-Policy')).toBe('same-origin');
    expect(r.headers.get('Content-Type')).toBe('text/html');
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('<p>hi</p>');
  });

  it('leaves a response that already carries COEP untouched (the host decides)', () => {
    const original = new Response('x', { headers: { 'Cross-Origin-Embedder-Policy': 'credentialless' } });
    expect(withIsolationHeaders(original)).toBe(original);
  });

  it('adds extra headers only when missing', () => {
    const r = withIsolationHeaders(new Response('x', { headers: { 'Content-Security-Policy': "default-src 'none'" } }), {
      'Content-Security-Policy': "default-src 'self'",
      'X-Extra': '1',
    });
    expect(r.headers.get('Content-Security-Policy')).toBe("default-src 'none'");
    expect(r.headers.get('X-Extra')).toBe('1');
  });

  it('returns an error response (status 0) as it is', () => {
    const e = Response.error();
    expect(withIsolationHeaders(e)).toBe(e);
  });

  it('keeps a 304 without a body', () => {
    const r = withIsolationHeaders(new Response(null, { status: 304 }));
    expect(r.status).toBe(304);
    expect(r.body).toBeNull();
    expect(r.headers.get('Cross-Origin-Embedder-Policy')).toBe(ISOLATION_HEADERS['Cross-Origin-Embedder-Policy']);
  });
});

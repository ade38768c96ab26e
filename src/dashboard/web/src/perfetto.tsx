// Opens a trace in ui.perfetto.dev: Perfetto's documented postMessage hand-off (PING until PONG, then the buffer).
const ORIGIN = 'https://ui.perfetto.dev';

export function openInPerfetto(trace: ArrayBuffer, title: string): void {
  const win = window.open(`${ORIGIN}/#!/`);
  if (!win) return;
  let done = false;
  const onMessage = (e: MessageEvent) => {
    if (e.origin !== ORIGIN || e.data !== 'PONG' || done) return;
    done = true;
    clearInterval(timer);
    removeEventListener('message', onMessage);
    win.postMessage({ perfetto: { buffer: trace, title } }, ORIGIN);
  };
  addEventListener('message', onMessage);
  const started = Date.now();
  const timer = setInterval(() => {
    if (done || win.closed || Date.now() - started > 30_000) {
      clearInterval(timer);
      removeEventListener('message', onMessage);
      return;
    }
    win.postMessage('PING', ORIGIN);
  }, 250);
}

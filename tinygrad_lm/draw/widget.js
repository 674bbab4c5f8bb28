// tinygrad_lm's notebook widget: a self-contained page of the package (the backward explorer,
// the landscape) in a sandboxed frame, its `frame` synced with Python. One ES module in the
// anywidget format (export default {render}), no imports, no network: it runs in JupyterLab,
// Notebook 7, VS Code, Colab and marimo alike.
//
// The page and the widget talk by postMessage: the widget sends {tinygrad_lm: 'show', frame}
// when Python sets `frame`, the page sends {tinygrad_lm: 'frame', frame} when the learner
// moves (buttons, slider, keys, play). A page without frames ignores both.

function render({ model, el }) {
  const page = document.createElement('iframe');
  page.setAttribute('sandbox', 'allow-scripts');  // scripts run, but in an opaque origin
  page.title = model.get('title') || 'tinygrad_lm page';
  page.style.cssText = 'width:100%;box-sizing:border-box;border:1px solid #e5e7eb;' +
    'border-radius:4px;display:block';
  let loaded = false, fromPage = null;

  function send() {
    // Skip the echo of a frame the page itself reported: sending it back would stop play.
    if (!loaded || model.get('frame') === fromPage) return;
    page.contentWindow.postMessage({ tinygrad_lm: 'show', frame: model.get('frame') }, '*');
  }
  function load() {
    loaded = false;
    fromPage = null;
    page.srcdoc = model.get('html');
  }
  function resize() {
    page.style.height = model.get('height') + 'px';
  }
  function hear(event) {
    const data = event.data || {};
    if (event.source !== page.contentWindow || data.tinygrad_lm !== 'frame') return;
    fromPage = data.frame;
    if (data.frame !== model.get('frame')) {
      model.set('frame', data.frame);
      model.save_changes();
    }
  }

  page.addEventListener('load', () => { loaded = true; send(); });
  window.addEventListener('message', hear);
  model.on('change:frame', send);
  model.on('change:html', load);
  model.on('change:height', resize);
  resize();
  load();
  el.appendChild(page);
  return () => {
    window.removeEventListener('message', hear);
    model.off('change:frame', send);
    model.off('change:html', load);
    model.off('change:height', resize);
  };
}

export default { render };

// Runs once when the source panel mounts (Gradio's js_on_load: `element`, `trigger`, `watch`).
// Citation markers live in the chat's messages, outside this component, so one listener
// on the document catches them; it always calls the newest `trigger`, should the panel
// mount again. Events sent to Python: 'cite' (open a citation) and 'whole' (whole document).
window.__nhsaTrigger = trigger;
if (!window.__nhsaListening) {
  window.__nhsaListening = true;
  document.addEventListener(
    "click",
    (event) => {
      const marker = event.target.closest('a[href^="#cite-"]');
      if (marker) {
        event.preventDefault();
        event.stopPropagation();
        window.__nhsaTrigger('cite', { ref: marker.getAttribute("href").slice(1) });
        return;
      }
      // The Ask tab's own panel only: the Map tab's panel handles its button itself.
      const toggle = event.target.closest("#source-panel button.src-toggle");
      if (toggle) {
        const name = toggle.dataset.view === "whole" ? 'whole' : 'cite';
        window.__nhsaTrigger(name, { ref: toggle.dataset.ref });
      }
    },
    true,
  );
}

// After each new panel: bring the highlighted passage into view inside its scroll box,
// and the panel into the window (it sits below the chat on narrow screens).
watch("value", () => {
  const mark = element.querySelector("mark");
  const box = element.querySelector(".src-text");
  if (!mark || !box) return;
  const offset = mark.getBoundingClientRect().top - box.getBoundingClientRect().top;
  box.scrollTop += offset - box.clientHeight / 3;
  element.scrollIntoView({ block: "nearest" });
});

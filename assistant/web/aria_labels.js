// Run once at page load (launch's `js`). Gradio's Chatbot labels each message with its
// content as given ("bot's message: <div class=...>"); ours is HTML, so a screen reader
// would read the markup aloud. Each label becomes the message's visible text instead,
// again whenever Gradio sets it (every update of a streamed answer).
() => {
  const MESSAGE = '[data-testid="user"][aria-label], [data-testid="bot"][aria-label]';
  const relabel = (message) => {
    const text = message.innerText.split(/\s+/).join(" ").trim();
    const plain = `${message.dataset.testid}'s message: ${text}`;
    if (message.getAttribute("aria-label") !== plain) message.setAttribute("aria-label", plain);
  };
  const touched = (change) => {
    const node = change.target.nodeType === Node.ELEMENT_NODE
      ? change.target : change.target.parentElement;
    const found = [node?.closest(MESSAGE)];
    for (const added of change.addedNodes) {
      if (added.nodeType === Node.ELEMENT_NODE) {
        found.push(added.closest(MESSAGE), ...added.querySelectorAll(MESSAGE));
      }
    }
    return found.filter(Boolean);
  };
  new MutationObserver((changes) => {
    new Set(changes.flatMap(touched)).forEach(relabel);
  }).observe(document.body, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ["aria-label"],
  });
  document.querySelectorAll(MESSAGE).forEach(relabel);
}

// Runs once when the map's source panel mounts: its button switches between the cited
// passage and the whole document (events 'cite' and 'whole', {ref}), as in the Ask tab.
element.addEventListener("click", (event) => {
  const toggle = event.target.closest("button.src-toggle");
  if (!toggle) return;
  event.stopPropagation();
  trigger(toggle.dataset.view === "whole" ? "whole" : "cite", { ref: toggle.dataset.ref });
});

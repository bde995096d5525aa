// Runs once when the map picture mounts (Gradio's js_on_load: `element`, `trigger`).
// A box of the SVG is a group with id "node-<id>" (its label "node-<id>-label"); a click
// on either opens that node's card. Event sent to Python: 'select' ({ref: node id}).
element.addEventListener("click", (event) => {
  const group = event.target.closest('g[id^="node-"]');
  if (!group) return;
  event.preventDefault();
  trigger("select", { ref: group.id.replace(/^node-/, "").replace(/-label$/, "") });
});
// Keyboard: a box can be focused and opened with Enter, like a link.
const focusable = () => {
  element.querySelectorAll('g[id^="node-"]:not([id$="-label"])').forEach((group) => {
    group.setAttribute("tabindex", "0");
    group.setAttribute("role", "button");
  });
};
focusable();
watch("value", focusable);
element.addEventListener("keydown", (event) => {
  const group = event.target.closest && event.target.closest('g[id^="node-"]');
  if (group && event.key === "Enter") {
    trigger("select", { ref: group.id.replace(/^node-/, "").replace(/-label$/, "") });
  }
});

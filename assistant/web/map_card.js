// Runs once when the map's card mounts. A citation marker on the card ('#map-<n>') opens
// its passage in the map's source panel: event 'cite' ({ref}).
element.addEventListener("click", (event) => {
  const marker = event.target.closest('a[href^="#map-"]');
  if (!marker) return;
  event.preventDefault();
  event.stopPropagation();
  trigger("cite", { ref: marker.getAttribute("href").slice(1) });
});

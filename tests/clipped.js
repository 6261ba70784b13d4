() => {
  // Text of the main area that is cut off: an ellipsis or hidden overflow hiding part of a card's
  // number, label or delta, of a caption, or of a picker's chosen value.
  const out = [];
  const main = document.querySelector('[data-testid="stMain"]') || document;
  const texts = main.querySelectorAll(
    '[data-testid="stMetric"] *, [data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] p');
  for (const el of texts) {
    if (el.children.length > 0 && !el.matches('p')) continue;
    if (!(el instanceof HTMLElement) || !el.textContent.trim()) continue;  // icons, empty boxes
    const cs = getComputedStyle(el);
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 &&
        (cs.overflow !== 'visible' || cs.textOverflow === 'ellipsis'))
      out.push(`${el.innerText.slice(0, 80)} [${el.clientWidth} < ${el.scrollWidth}]`);
    const card = el.closest('[data-testid="stMetric"]');
    if (card) {
      const r = el.getBoundingClientRect(), c = card.getBoundingClientRect();
      if (r.width > 0 && r.right > c.right + 1) out.push(`outside its card: ${el.innerText.slice(0, 60)}`);
    }
  }
  // a card drawn as a bordered box around a metric and its caption: nothing may run below its border
  for (const box of main.querySelectorAll('[data-testid="stVerticalBlock"]:has(> [data-testid="stElementContainer"] [data-testid="stMetric"])')) {
    if (parseFloat(getComputedStyle(box).borderTopWidth) === 0) continue;
    const c = box.getBoundingClientRect();
    for (const el of box.querySelectorAll('p, [data-testid="stMetricValue"], [data-testid="stMetricDelta"]')) {
      const r = el.getBoundingClientRect();
      if (r.height > 0 && r.bottom > c.bottom + 1) out.push(`below its card: ${el.innerText.slice(0, 60)}`);
    }
  }
  for (const el of main.querySelectorAll('input[role="combobox"]')) {
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
      out.push(`picker: ${el.value.slice(0, 60)} [${el.clientWidth} < ${el.scrollWidth}]`);
  }
  return out;
}

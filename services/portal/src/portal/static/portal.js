// The portal's own script: buttons that print the page (the CSP refuses inline scripts).
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-print]")) window.print();
});

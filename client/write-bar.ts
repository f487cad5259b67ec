// Owns the small sticky "写评论" bar on phones: it steps aside while the comments are on screen, and
// takes the reader to the compose box with the cursor in it.
export function wireWriteBar(): void {
  const bar = document.getElementById('write-bar');
  const comments = document.getElementById('comments');
  if (!bar || !comments) return;
  new IntersectionObserver(([e]) => bar.classList.toggle('is-away', e.isIntersecting)).observe(comments);
  bar.addEventListener('click', (e) => {
    const form = document.getElementById('compose');
    if (!form) return;
    e.preventDefault();
    form.scrollIntoView({ block: 'center' });
    document.getElementById('f-body')?.focus({ preventScroll: true });
  });
}

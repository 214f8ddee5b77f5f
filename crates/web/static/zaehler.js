// The Konzept editor's word count while typing: counts the words of the text field (words with a
// letter or digit, as the server counts them) and the reading time (200 words a minute), and says
// when the text is over the soft limit. The server shows the same figures without JavaScript.
(function () {
  var field = document.getElementById('text');
  var out = document.getElementById('zaehler');
  if (!field || !out) return;
  var limit = parseInt(out.getAttribute('data-limit'), 10) || 0;
  function count() {
    var words = field.value.split(/\s+/).filter(function (w) { return /[\p{L}\p{N}]/u.test(w); }).length;
    var minutes = Math.ceil(words / 200);
    var text = words + (words === 1 ? ' Wort' : ' Wörter') + ', etwa ' + minutes + (minutes === 1 ? ' Minute' : ' Minuten') + ' Lesezeit';
    if (limit && words > limit) text += ' – über der Richtgröße von ' + limit + ' Wörtern, bitte kürzen';
    out.textContent = text + '.';
    out.className = limit && words > limit ? 'over' : '';
  }
  field.addEventListener('input', count);
  count();
})();

// Progressive enhancement: filter the rows by typing; without JavaScript all rows stay visible.
(function () {
  var box = document.getElementById('filter'), input = document.getElementById('filter-text');
  var count = document.getElementById('filter-count');
  var rows = document.querySelectorAll('tr[data-filter]');
  box.hidden = false;
  input.addEventListener('input', function () {
    var q = input.value.trim().toLowerCase(), n = 0;
    rows.forEach(function (r) {
      var hit = r.getAttribute('data-filter').toLowerCase().indexOf(q) >= 0;
      r.hidden = !hit; if (hit) n++;
    });
    document.querySelectorAll('section.group').forEach(function (s) {
      s.hidden = !s.querySelector('tr[data-filter]:not([hidden])');
    });
    count.textContent = q ? n + count.getAttribute(n === 1 ? 'data-one' : 'data-many') : '';
  });
})();

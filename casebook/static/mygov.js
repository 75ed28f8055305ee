// Suggestions for the government picker: fills the <datalist> from /api/v1/municipalities.
// The picker works without this script (the form submits to /mygov and lists matches).
(function () {
  var input = document.getElementById("gov-q");
  var list = document.getElementById("gov-suggestions");
  if (!input || !list || !window.fetch) { return; }
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (!q) { list.textContent = ""; return; }
    timer = setTimeout(function () {
      fetch("/api/v1/municipalities?q=" + encodeURIComponent(q) + "&size=8")
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (body) {
          list.textContent = "";
          body.results.forEach(function (m) {
            var option = document.createElement("option");
            option.value = m.name;
            option.label = m.prefecture + " " + m.name + "（" + m.population.toLocaleString("ja-JP") + "人）";
            list.appendChild(option);
          });
        })
        .catch(function () { list.textContent = ""; });
    }, 200);
  });
})();

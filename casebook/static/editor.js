// The case editor without reloads (progressive enhancement: without JavaScript each step is a POST,
// and the page opens with focus on the row just added).
// - 行を追加 copies the list's row <template> (rendered by the server with the row number __index__)
//   with the next free number, moves focus to its first field and says so in a polite live region.
//   The server reads rows by their numbers, gaps allowed (forms.RowList); blank rows are dropped on save.
// - A 団体コード of 5 or 6 digits is looked up in the municipality master (the public API) as it is
//   typed, and fills the row's empty fields; what the curator typed is never overwritten.
(() => {
  const form = document.getElementById("case-form");
  if (!form) return;
  const INDEX = "__index__";
  const ATTRIBUTES = ["id", "name", "for", "aria-describedby", "aria-labelledby", "data-row"];
  const announcer = document.getElementById("editor-announce");

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";   // the same words twice are announced twice
    window.setTimeout(() => { announcer.textContent = text; }, 50);
  }

  function removed(row) {
    const box = row.querySelector('input[type=checkbox][name$="-remove"]');
    return Boolean(box && box.checked);
  }

  function nextIndex(list) {
    let most = -1;
    list.querySelectorAll("[data-row]").forEach((row) => {
      const n = parseInt(row.dataset.row, 10);
      if (n > most) most = n;
    });
    return most + 1;
  }

  function numbered(fragment, index) {
    fragment.querySelectorAll("*").forEach((el) => {
      ATTRIBUTES.forEach((name) => {
        const value = el.getAttribute(name);
        if (value && value.includes(INDEX)) el.setAttribute(name, value.split(INDEX).join(String(index)));
      });
    });
    return fragment;
  }

  function addRow(name) {
    const list = document.getElementById(`${name}-rows`);
    const template = document.getElementById(`${name}-template`);
    if (!list || !template) return false;
    const label = list.dataset.label;
    const most = parseInt(list.dataset.most, 10);
    const rows = [...list.querySelectorAll("[data-row]")];
    if (rows.filter((r) => !removed(r)).length >= most) {
      announce(`${label}は${most}件までです。行は追加していません。`);
      return true;
    }
    const index = nextIndex(list);
    const copy = numbered(template.content.cloneNode(true), index);
    const row = copy.querySelector("[data-row]");
    const number = rows.length + 1;
    const shown = row.querySelector("[data-row-number]");
    if (shown) shown.textContent = String(number);
    const position = row.querySelector(`[name="${name}-${index}-position"]`);
    if (position && !position.value) position.value = String(number);   // after the rows above it
    list.querySelectorAll("[data-no-rows]").forEach((p) => p.remove());
    list.appendChild(copy);
    row.scrollIntoView({ block: "nearest" });
    const first = row.querySelector("input, select, textarea");
    if (first) first.focus();
    announce(`${label}の行を追加しました`);
    return true;
  }

  // Enter in a text field "clicks" the form's first submit button, which is 参加団体の行を追加: such a
  // click (no pointer, the button not focused) adds nothing; in a 団体コード it looks the code up now.
  let lookUpNow = null;
  form.querySelectorAll("button[data-add-row]").forEach((button) => {
    button.addEventListener("click", (event) => {
      const typing = document.activeElement;
      if (event.detail === 0 && typing !== button && typing instanceof HTMLInputElement) {
        event.preventDefault();
        if (lookUpNow) lookUpNow(typing);
        return;
      }
      if (addRow(button.dataset.addRow)) event.preventDefault();
    });
  });

  // --- the 団体コード look-up --------------------------------------------------------------
  const participants = document.getElementById("participants-rows");
  const base = participants && participants.dataset.lookup;
  if (!base) return;
  const masterSource = participants.dataset.masterSource || "";
  const timers = new WeakMap();
  const asked = new WeakMap();

  function checkDigit(five) {
    const weights = [6, 5, 4, 3, 2];
    const total = weights.reduce((sum, w, i) => sum + Number(five[i]) * w, 0);
    return (11 - (total % 11)) % 10;
  }

  function valid(code) {
    const prefecture = Number(code.slice(0, 2));
    return /^[0-9]{6}$/.test(code) && prefecture >= 1 && prefecture <= 47
      && checkDigit(code.slice(0, 5)) === Number(code[5]);
  }

  // As domain/codes.code_candidates: 5 digits are the code without its check digit, or a code whose
  // leading zero Excel dropped (12084 -> 120847 or 012084).
  function candidates(digits) {
    if (/^[0-9]{6}$/.test(digits)) return valid(digits) ? [digits] : [];
    if (/^[0-9]{5}$/.test(digits)) return [...new Set([digits + checkDigit(digits), `0${digits}`])].filter(valid);
    return [];
  }

  function say(input, status, text) {
    status.textContent = text;
    const ids = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== status.id);
    if (text) ids.push(status.id);
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  async function fetchOne(code) {
    const response = await fetch(`${base}/${code}`, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  }

  function fill(row, input, m) {
    const prefix = input.name.replace(/-code$/, "");
    const put = (name, value) => {
      const el = row.querySelector(`[name="${prefix}-${name}"]`);
      if (!el || value === null || value === undefined || value === "" || el.value.trim() !== "") return false;
      if (el.tagName === "SELECT" && ![...el.options].some((o) => o.value === String(value))) return false;
      el.value = String(value);
      el.dispatchEvent(new Event("change", { bubbles: true }));
      return true;
    };
    let filled = [put("name", m.name), put("prefecture", m.prefecture), put("kind", m.kind)].some(Boolean);
    if (put("population", m.population)) {   // the year and source only with the master's own figure
      put("population_year", m.population_year);
      put("population_source", masterSource);
      filled = true;
    }
    const people = m.population === null || m.population === undefined ? ""
      : `（人口${m.population.toLocaleString("ja-JP")}人${m.population_year ? `・${m.population_year}年` : ""}）`;
    return filled ? `${m.name}${people}を入れました` : `マスタでは${m.name}${people}です（入力済みの欄はそのままです）`;
  }

  async function lookUp(input) {
    const row = input.closest("[data-row]");
    const status = row && row.querySelector(".lookup-status");
    if (!status) return;
    const digits = input.value.normalize("NFKC").trim();
    const ask = (asked.get(input) || 0) + 1;
    asked.set(input, ask);
    if (!/^[0-9]{5,6}$/.test(digits)) {
      say(input, status, "");
      return;
    }
    const found = candidates(digits);
    if (!found.length) {
      say(input, status, digits.length === 6 ? "この団体コードは正しくありません（検査数字を確かめてください）"
        : "この団体コードはマスタにありません");
      return;
    }
    let answers;
    try {
      answers = (await Promise.all(found.map(fetchOne))).filter(Boolean);
    } catch (error) {
      if (asked.get(input) === ask) say(input, status, "マスタを調べられませんでした（保存するときに補います）");
      return;
    }
    if (asked.get(input) !== ask) return;   // typed on since: a newer look-up answers
    if (!answers.length) say(input, status, "この団体コードはマスタにありません");
    else if (answers.length > 1) {
      const names = answers.map((m) => `${m.code}（${m.prefecture}${m.name}）`).join("、");
      say(input, status, `候補が${answers.length}つあります: ${names}。6桁で入力してください`);
    } else say(input, status, fill(row, input, answers[0]));
  }

  function later(input) {
    window.clearTimeout(timers.get(input));
    timers.set(input, window.setTimeout(() => lookUp(input), 350));
  }

  const isCode = (el) => el instanceof HTMLInputElement && /^participants-\d+-code$/.test(el.name);
  lookUpNow = (input) => {
    if (isCode(input)) {
      window.clearTimeout(timers.get(input));
      lookUp(input);
    }
  };
  participants.addEventListener("input", (event) => {
    if (isCode(event.target) && !event.isComposing) later(event.target);   // an IME answers at compositionend
  });
  participants.addEventListener("compositionend", (event) => {
    if (isCode(event.target)) later(event.target);
  });
})();

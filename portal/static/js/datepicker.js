/* The date picker of the portal's date fields (portal/i18n/fields.py renders them as text
   inputs marked data-date-input; the server reads what is typed, so forms work without this).

   A button beside the input opens the month in the reader's calendar (Solar Hijri, Buddhist era
   or Gregorian, data-calendar); choosing a day writes it as data-format says, in the digits of
   data-digits. The browser's Intl does the calendar arithmetic and names months and weekdays;
   a day is an integer count of days since 1970-01-01, formatted in UTC so no clock change
   moves it. Typing stays free: the picker never rewrites what was typed.

   Texts come from the server: data-picker-label on the input (the button's name), and
   data-picker-today, -previous, -next, -close on the input or on <body>; English otherwise. */
(function () {
  "use strict";

  var DAY_MS = 86400000;
  var ICU_CALENDARS = {jalali: "persian", buddhist: "buddhist", gregorian: "gregory"};
  var NUMBERING = {fa: "arabext", arab: "arab", thai: "thai", latn: "latn"};
  var DIGITS = {fa: "۰۱۲۳۴۵۶۷۸۹", arab: "٠١٢٣٤٥٦٧٨٩", thai: "๐๑๒๓๔๕๖๗๘๙"};
  // the first column of the month (0 = Sunday): Iranian calendars start on Saturday,
  // Vietnamese ones and the portal's British English on Monday, and Thai wall and desk
  // calendars on Sunday (อาทิตย์), which is also CLDR's first day for Thailand
  var WEEK_STARTS = {fa: 6, vi: 1, th: 0, en: 1};
  var TEXTS = {
    pickerToday: "Today",
    pickerPrevious: "Previous month",
    pickerNext: "Next month",
    pickerClose: "Close the calendar"
  };
  var ICONS = {
    calendar: '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">' +
      '<g fill="none" stroke="currentColor" stroke-width="1.3"><rect x="1.5" y="2.5" width="13" height="12" rx="1.5"/>' +
      '<path d="M1.5 6h13M5 1v3M11 1v3"/></g></svg>',
    // drawn pointing "back" in a left-to-right page; the stylesheet mirrors it in RTL
    previous: '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">' +
      '<path d="M10 3 5 8l5 5" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>',
    next: '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">' +
      '<path d="m6 3 5 5-5 5" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>'
  };
  var counter = 0;

  function supported() {
    try {
      return new Intl.DateTimeFormat("en-u-ca-persian").resolvedOptions().calendar === "persian" &&
        typeof Intl.DateTimeFormat.prototype.formatToParts === "function";
    } catch (error) {
      return false;
    }
  }

  /* -- digits and the typed text ------------------------------------------------------- */

  function toLatin(text) {
    return text.replace(/[۰-۹٠-٩๐-๙]/g, function (digit) {
      for (var set in DIGITS) {
        var index = DIGITS[set].indexOf(digit);
        if (index >= 0) { return String(index); }
      }
      return digit;
    });
  }

  function inDigits(text, digits) {
    var set = DIGITS[digits];
    if (!set) { return text; }
    return text.replace(/[0-9]/g, function (digit) { return set.charAt(Number(digit)); });
  }

  function pad(number, width) {
    var text = String(number);
    while (text.length < width) { text = "0" + text; }
    return text;
  }

  /* The year, month and day of a typed text, whatever digits and separators were used, read
     as the server reads it (portal/i18n/parsing.py): the year first (1404/05/21, 2025-08-12)
     or last (21/08/2568). Null otherwise: the server says what is wrong, not the picker. */
  function readTyped(text) {
    var numbers = toLatin(text).trim().split(/[^0-9]+/).filter(Boolean);
    if (numbers.length !== 3) { return null; }
    var yearFirst = numbers[0].length >= 3;
    if (!yearFirst && numbers[2].length < 3) { return null; }
    var order = yearFirst ? [0, 1, 2] : [2, 1, 0];
    return {year: Number(numbers[order[0]]), month: Number(numbers[order[1]]),
      day: Number(numbers[order[2]])};
  }

  function writeDate(parts, format, digits) {
    var text = format.replace("YYYY", pad(parts.year, 4))
      .replace("MM", pad(parts.month, 2))
      .replace("DD", pad(parts.day, 2));
    return inDigits(text, digits);
  }

  /* -- the calendar -------------------------------------------------------------------- */

  function Calendar(calendar, language, digits) {
    var icu = ICU_CALENDARS[calendar] || "gregory";
    var tag = language + "-u-ca-" + icu + "-nu-" + (NUMBERING[digits] || "latn");
    this.language = language;
    this.digits = digits;
    // Latin digits and an English locale: formatToParts then gives plain numbers
    this.numeric = new Intl.DateTimeFormat("en-u-ca-" + icu + "-nu-latn",
      {timeZone: "UTC", year: "numeric", month: "numeric", day: "numeric"});
    this.title = new Intl.DateTimeFormat(tag, {timeZone: "UTC", year: "numeric", month: "long"});
    this.fullDate = new Intl.DateTimeFormat(tag, {timeZone: "UTC", weekday: "long",
      year: "numeric", month: "long", day: "numeric"});
    // Persian and Thai calendars head their columns with one or two letters (ش, อา)
    this.weekdayShort = new Intl.DateTimeFormat(tag, {timeZone: "UTC",
      weekday: language === "fa" || language === "th" ? "narrow" : "short"});
    this.weekdayLong = new Intl.DateTimeFormat(tag, {timeZone: "UTC", weekday: "long"});
    this.weekStart = WEEK_STARTS.hasOwnProperty(language) ? WEEK_STARTS[language] : 1;
  }

  Calendar.prototype.partsOf = function (day) {
    var parts = {};
    this.numeric.formatToParts(new Date(day * DAY_MS)).forEach(function (part) {
      if (part.type === "year" || part.type === "month" || part.type === "day") {
        parts[part.type] = Number(part.value);
      }
    });
    return parts;
  };

  /* The day of a year/month/day of this calendar, or null when there is no such day
     (1404/12/30 in a common year, month 13). Guessed from today and corrected: calendar
     years and months are close enough to 365.2425 and 30.44 days for a few steps to land. */
  Calendar.prototype.dayOf = function (wanted) {
    if (!(wanted.month >= 1 && wanted.month <= 12 && wanted.day >= 1 && wanted.day <= 31)) {
      return null;
    }
    var today = todayDay();
    var now = this.partsOf(today);
    if (Math.abs(wanted.year - now.year) > 300) { return null; }
    var guess = today + distance(now, wanted);
    for (var step = 0; step < 5; step += 1) {
      var move = distance(this.partsOf(guess), wanted);
      if (move === 0) { break; }
      guess += move;
    }
    for (var near = -3; near <= 3; near += 1) {
      if (same(this.partsOf(guess + near), wanted)) { return guess + near; }
    }
    return null;
  };

  Calendar.prototype.monthStart = function (day) {
    return day - (this.partsOf(day).day - 1);
  };

  // no month is longer than 31 days, none shorter than 29: 31 days on is always next month
  Calendar.prototype.nextMonth = function (start) { return this.monthStart(start + 31); };
  Calendar.prototype.previousMonth = function (start) { return this.monthStart(start - 1); };

  /* The same day of the month `months` months away, or the month's last day if shorter. */
  Calendar.prototype.addMonths = function (day, months) {
    var dayOfMonth = this.partsOf(day).day;
    var start = this.monthStart(day);
    for (var i = 0; i < Math.abs(months); i += 1) {
      start = months > 0 ? this.nextMonth(start) : this.previousMonth(start);
    }
    var length = this.nextMonth(start) - start;
    return start + Math.min(dayOfMonth, length) - 1;
  };

  Calendar.prototype.monthTitle = function (day) {
    var date = new Date(day * DAY_MS);
    if (this.language !== "fa") { return this.title.format(date); }
    // Persian writes "مرداد ۱۴۰۴" (as the portal's own dates do); ICU puts the year first
    var name = "", year = "";
    this.title.formatToParts(date).forEach(function (part) {
      if (part.type === "month") { name = part.value; }
      if (part.type === "year") { year = part.value; }
    });
    return name + " " + year;
  };

  Calendar.prototype.number = function (number) {
    return inDigits(String(number), this.digits);
  };

  function distance(from, to) {
    return Math.round((to.year - from.year) * 365.2425 + (to.month - from.month) * 30.44 +
      (to.day - from.day));
  }

  function same(a, b) {
    return a.year === b.year && a.month === b.month && a.day === b.day;
  }

  function todayDay() {
    var now = new Date();  // the reader's own date, as on their wall calendar
    return Math.floor(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()) / DAY_MS);
  }

  function weekday(day) {
    return new Date(day * DAY_MS).getUTCDay();
  }

  /* -- one picker per input ------------------------------------------------------------ */

  function text(input, key) {
    return input.dataset[key] || document.body.dataset[key] || TEXTS[key];
  }

  function labelOf(input) {
    if (input.dataset.pickerLabel) { return input.dataset.pickerLabel; }
    var label = input.labels && input.labels[0];
    return label ? label.textContent.trim() : "Choose a date";
  }

  function element(tag, className, attributes) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    return node;
  }

  function iconButton(className, label, icon) {
    var button = element("button", "btn btn-sm btn-outline-secondary " + className,
      {type: "button", "aria-label": label});
    button.innerHTML = icon;
    return button;
  }

  function Picker(input) {
    counter += 1;
    this.input = input;
    this.format = input.dataset.format || "YYYY-MM-DD";
    this.calendar = new Calendar(input.dataset.calendar || "gregorian",
      (document.documentElement.lang || "en").split("-")[0], input.dataset.digits || "latn");
    this.id = "date-picker-" + counter;
    this.build();
  }

  Picker.prototype.build = function () {
    var input = this.input, self = this;
    // the input and its button side by side; the dialog hangs under both
    this.field = element("div", "date-picker-field");
    var group = element("div", "input-group");
    input.parentNode.insertBefore(this.field, input);
    this.field.appendChild(group);
    group.appendChild(input);

    this.toggle = iconButton("date-picker-toggle", labelOf(input), ICONS.calendar);
    this.toggle.setAttribute("aria-haspopup", "dialog");
    this.toggle.setAttribute("aria-expanded", "false");
    this.toggle.setAttribute("aria-controls", this.id);
    group.appendChild(this.toggle);

    this.dialog = element("div", "date-picker", {id: this.id, role: "dialog",
      "aria-modal": "true", "aria-label": labelOf(input)});
    this.dialog.hidden = true;

    var header = element("div", "date-picker-header");
    this.previous = iconButton("date-picker-nav", text(input, "pickerPrevious"), ICONS.previous);
    this.next = iconButton("date-picker-nav", text(input, "pickerNext"), ICONS.next);
    this.title = element("div", "date-picker-title", {id: this.id + "-title", "aria-live": "polite"});
    header.appendChild(this.previous);
    header.appendChild(this.title);
    header.appendChild(this.next);

    this.grid = element("table", "date-picker-grid", {role: "grid",
      "aria-labelledby": this.id + "-title"});
    this.grid.appendChild(this.weekdayHeader());
    this.body = element("tbody");
    this.grid.appendChild(this.body);

    var footer = element("div", "date-picker-footer");
    this.todayButton = element("button", "btn btn-sm btn-outline-primary", {type: "button"});
    this.todayButton.textContent = text(input, "pickerToday");
    this.closeButton = element("button", "btn btn-sm btn-outline-secondary", {type: "button"});
    this.closeButton.textContent = text(input, "pickerClose");
    footer.appendChild(this.todayButton);
    footer.appendChild(this.closeButton);

    this.dialog.appendChild(header);
    this.dialog.appendChild(this.grid);
    this.dialog.appendChild(footer);
    this.field.appendChild(this.dialog);

    this.toggle.addEventListener("click", function () {
      if (self.dialog.hidden) { self.open(); } else { self.close(true); }
    });
    this.previous.addEventListener("click", function () { self.moveMonths(-1, false); });
    this.next.addEventListener("click", function () { self.moveMonths(1, false); });
    this.todayButton.addEventListener("click", function () { self.show(todayDay(), true); });
    this.closeButton.addEventListener("click", function () { self.close(true); });
    this.body.addEventListener("click", function (event) {
      var cell = event.target.closest("td[data-day]");
      if (cell) { self.choose(Number(cell.dataset.day)); }
    });
    this.dialog.addEventListener("keydown", function (event) { self.onKey(event); });
    document.addEventListener("mousedown", function (event) {
      if (!self.dialog.hidden && !self.field.contains(event.target)) { self.close(false); }
    });
  };

  Picker.prototype.weekdayHeader = function () {
    var head = element("thead"), row = element("tr");
    // 1970-01-04 was a Sunday: day 3 + n is weekday n
    for (var i = 0; i < 7; i += 1) {
      var date = new Date((3 + (this.calendar.weekStart + i) % 7) * DAY_MS);
      var cell = element("th", "", {scope: "col", abbr: this.calendar.weekdayLong.format(date)});
      cell.textContent = this.calendar.weekdayShort.format(date);
      row.appendChild(cell);
    }
    head.appendChild(row);
    return head;
  };

  /* The day the input holds, when the picker can read it as a day of its calendar. */
  Picker.prototype.typedDay = function () {
    var typed = readTyped(this.input.value);
    return typed ? this.calendar.dayOf(typed) : null;
  };

  Picker.prototype.open = function () {
    this.selected = this.typedDay();
    this.dialog.hidden = false;
    this.toggle.setAttribute("aria-expanded", "true");
    this.show(this.selected !== null ? this.selected : todayDay(), true);
    this.keepInView();
  };

  Picker.prototype.close = function (refocus) {
    this.dialog.hidden = true;
    this.toggle.setAttribute("aria-expanded", "false");
    if (refocus) { this.input.focus(); }
  };

  /* Hang the dialog from the field's end instead when it would leave the window there. */
  Picker.prototype.keepInView = function () {
    this.dialog.classList.remove("date-picker-end");
    var box = this.dialog.getBoundingClientRect();
    if (box.right > document.documentElement.clientWidth || box.left < 0) {
      this.dialog.classList.add("date-picker-end");
    }
  };

  /* Draw the month of `day` and give that day the grid's focus. */
  Picker.prototype.show = function (day, focus) {
    var calendar = this.calendar;
    var start = calendar.monthStart(day);
    var end = calendar.nextMonth(start);
    var today = todayDay();
    this.focused = day;
    this.title.textContent = calendar.monthTitle(start);
    this.body.textContent = "";
    var row = element("tr");
    var blanks = (weekday(start) - calendar.weekStart + 7) % 7;
    for (var b = 0; b < blanks; b += 1) { row.appendChild(element("td")); }
    for (var current = start; current < end; current += 1) {
      if (row.children.length === 7) {
        this.body.appendChild(row);
        row = element("tr");
      }
      row.appendChild(this.dayCell(current, day, today));
    }
    while (row.children.length < 7) { row.appendChild(element("td")); }
    this.body.appendChild(row);
    if (focus) { this.body.querySelector('[tabindex="0"]').focus(); }
  };

  Picker.prototype.dayCell = function (current, focused, today) {
    var cell = element("td", "", {"data-day": String(current),
      tabindex: current === focused ? "0" : "-1",
      "aria-label": this.calendar.fullDate.format(new Date(current * DAY_MS))});
    cell.textContent = this.calendar.number(this.calendar.partsOf(current).day);
    if (current === this.selected) { cell.setAttribute("aria-selected", "true"); }
    if (current === today) { cell.setAttribute("aria-current", "date"); }
    return cell;
  };

  Picker.prototype.moveMonths = function (months, focusDay) {
    var target = this.calendar.addMonths(this.focused, months);
    this.show(target, focusDay);
  };

  Picker.prototype.choose = function (day) {
    this.input.value = writeDate(this.calendar.partsOf(day), this.format, this.calendar.digits);
    this.input.dispatchEvent(new Event("input", {bubbles: true}));
    this.input.dispatchEvent(new Event("change", {bubbles: true}));
    this.close(true);
  };

  Picker.prototype.onKey = function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      this.close(true);
      return;
    }
    if (event.key === "Tab") {
      this.trapTab(event);
      return;
    }
    if (!event.target.matches("td[data-day]")) { return; }
    var move = this.keyMove(event);
    if (move === "choose") {
      event.preventDefault();
      this.choose(this.focused);
    } else if (move !== null) {
      event.preventDefault();
      move();
    }
  };

  /* What a key does on a day: arrows follow the screen (right is the next day in a
     left-to-right page, the previous one in Persian), PageUp/PageDown change the month
     (with Shift, the year), Home/End go to the start/end of the week. */
  Picker.prototype.keyMove = function (event) {
    var self = this, day = this.focused;
    var rtl = window.getComputedStyle(this.dialog).direction === "rtl";
    var by = function (days) { return function () { self.show(day + days, true); }; };
    var months = function (count) { return function () { self.moveMonths(count, true); }; };
    var column = (weekday(day) - this.calendar.weekStart + 7) % 7;
    switch (event.key) {
    case "ArrowRight": return by(rtl ? -1 : 1);
    case "ArrowLeft": return by(rtl ? 1 : -1);
    case "ArrowDown": return by(7);
    case "ArrowUp": return by(-7);
    case "Home": return by(-column);
    case "End": return by(6 - column);
    case "PageUp": return months(event.shiftKey ? -12 : -1);
    case "PageDown": return months(event.shiftKey ? 12 : 1);
    case "Enter":
    case " ":
      return "choose";
    default: return null;
    }
  };

  /* The dialog is modal: Tab and Shift+Tab go round its own controls. */
  Picker.prototype.trapTab = function (event) {
    var stops = [this.previous, this.next, this.body.querySelector('[tabindex="0"]'),
      this.todayButton, this.closeButton];
    var index = stops.indexOf(document.activeElement);
    var next = (index + (event.shiftKey ? -1 : 1) + stops.length) % stops.length;
    event.preventDefault();
    stops[next].focus();
  };

  if (!supported()) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("input[data-date-input]"),
    function (input) { return new Picker(input); });
}());

/* The organisation search box (portal/accounts/picker.py): as the person types, ask the
   portal for matching organisations and offer them as the box's suggestions (suggest.js). The
   form sends what the box holds, "Name (CODE)"; the server finds the organisation and checks
   it. Without suggestions, typing a code still works. */
window.portalSuggest("input[data-org-lookup]", "orgLookup", function (text) {
  "use strict";
  return text.length >= 2;
});

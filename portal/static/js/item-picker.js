/* The feedback item search box (ItemPickerField in portal/feedback/forms.py): as the person
   types words of a title or a number, ask the portal for the items they may name and offer
   them as the box's suggestions (suggest.js), each "#12 · title". The form sends what the box
   holds; the server reads the number at its start and checks the item again. Without this
   script the person types the number ("#12" or "12", in any digits) and the server does the
   rest. */
window.portalSuggest("input[data-item-lookup]", "itemLookup", function (text) {
  "use strict";
  // a number may be a single digit; words need two letters before they mean anything
  return text.length >= 2 || /^\p{Nd}$/u.test(text);
});

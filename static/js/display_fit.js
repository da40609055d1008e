// Sizes the call screen's text to its boxes. CSS cannot shrink "LIC-1234" until it fits on one
// line of a box whose size depends on the TV, so the browser measures: a binary search on the
// font size (whole pixels) for the largest one at which the box's content fits. The size goes
// into the custom property --fit-size, which display.css reads (the CSP allows no style
// attribute; a property set through the CSSOM is fine). Plain script, one global.
window.DisplayFit = (function () {
  "use strict";
  var PROPERTY = "--fit-size";
  var SMALLEST = 10;  // px: below this nothing is readable anyway

  // What CSS asks for when nothing is fitted: the upper bound of the search.
  function preferred(element) {
    element.style.removeProperty(PROPERTY);
    return parseFloat(window.getComputedStyle(element).fontSize) || 16;
  }

  // The largest size in [min, max] at which fits() holds (min when none does). Each try forces
  // one layout, about eight for a TV's range; it all happens before the next paint.
  function fit(element, fits, max, min) {
    var high = Math.floor(max === undefined ? preferred(element) : max);
    var low = Math.min(min || SMALLEST, high);
    var best = low;
    while (low <= high) {
      var middle = (low + high) >> 1;
      element.style.setProperty(PROPERTY, middle + "px");
      if (fits()) { best = middle; low = middle + 1; } else { high = middle - 1; }
    }
    element.style.setProperty(PROPERTY, best + "px");
    return best;
  }

  // Content that fits `box` without overflowing it, either way.
  function within(box) {
    return function () {
      return box.scrollWidth <= box.clientWidth && box.scrollHeight <= box.clientHeight;
    };
  }

  return { fit: fit, preferred: preferred, within: within };
})();

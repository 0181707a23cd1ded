/* The Wagtail admin's chooser pop-ups and the keyboard focus (issue 22, "lost input").
 *
 * Why alt text went missing: after an image is chosen, Wagtail's chooser pop-up (a Bootstrap 3
 * modal run by ModalWorkflow) fades out for 300 ms. All that time it still holds the keyboard
 * focus (its focus trap pulls any focused field back into the modal), and at the end it hands
 * the focus to the "Choose an image" button, which is hidden by then, so the focus falls to the
 * page body. Whatever the editor typed into the alt text or caption in that moment went to the
 * closing pop-up and was lost; the first autosave starts at the same moment (choosing an image
 * changes the form), which is why it looked like autosave ate the text.
 *
 * What this does, on every editing screen:
 * - the pop-ups open and close without the fade, so the focus trap ends when the pop-up
 *   disappears from view, not 300 ms later;
 * - when a chooser closes, the focus goes to the next thing to fill in: the empty alt text of
 *   the same block (an image block), or else back to the chooser's own button, as Wagtail meant.
 */
(function () {
  "use strict";
  var $ = window.jQuery;
  if (!$) {
    return;
  }
  var trigger = null;

  document.addEventListener(
    "click",
    function (event) {
      var button = event.target.closest && event.target.closest("[data-chooser-action-choose]");
      if (button) {
        trigger = button;
      }
    },
    true
  );

  $(document).on("show.bs.modal", ".modal", function () {
    this.classList.remove("fade");
  });

  $(document).on("hidden.bs.modal", ".modal", function () {
    var from = trigger;
    trigger = null;
    if (!from || !document.body.contains(from)) {
      return;
    }
    var block = from.closest(".struct-block, [data-streamfield-child], .w-panel");
    var alt = block && block.querySelector("input[name$='-alt_text'], input[name$='-alt']");
    if (alt && !alt.value) {
      alt.focus();
      return;
    }
    var chooser = from.closest("[data-chooser]");
    var visible = chooser && chooser.querySelector(
      "[data-chooser-action-choose]:not([hidden]), .action-choose:not([hidden])"
    );
    if (visible && visible.offsetParent !== null) {
      visible.focus();
    }
  });
})();

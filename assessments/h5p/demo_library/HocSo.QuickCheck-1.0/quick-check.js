/* HocSo.QuickCheck 1.0: one single-choice question, HọcSố's own H5P content type.
 *
 * params: {question, options: [{text, correct}], checkLabel, retryLabel, correctFeedback,
 * wrongFeedback}. Text is set with textContent (never HTML). Checking emits a top-level
 * xAPI "answered" statement through H5P's API (triggerXAPIScored: score 0 or 1 of 1);
 * getCurrentState() lets H5P save and resume the chosen answer.
 * H5P core finds the constructor by walking the machine name from window: window.HocSo.QuickCheck.
 */
var HocSo = window.HocSo = window.HocSo || {};
HocSo.QuickCheck = (function (EventDispatcher) {
  "use strict";

  function QuickCheck(params, contentId, extras) {
    EventDispatcher.call(this);
    this.params = params || {};
    this.contentId = contentId;
    var previous = (extras && extras.previousState) || {};
    this.answer = typeof previous.answer === "number" ? previous.answer : null;
    this.checked = previous.checked === true && this.answer !== null;
  }
  QuickCheck.prototype = Object.create(EventDispatcher.prototype);
  QuickCheck.prototype.constructor = QuickCheck;

  QuickCheck.prototype.getScore = function () {
    var option = this.answer === null ? null : (this.params.options || [])[this.answer];
    return this.checked && option && option.correct ? 1 : 0;
  };
  QuickCheck.prototype.getMaxScore = function () { return 1; };
  QuickCheck.prototype.getAnswerGiven = function () { return this.answer !== null; };
  QuickCheck.prototype.getCurrentState = function () {
    return { answer: this.answer, checked: this.checked };
  };

  QuickCheck.prototype.attach = function ($container) {
    var self = this;
    var root = $container.get(0);
    var params = self.params;
    root.classList.add("hocso-quick-check");
    root.textContent = "";

    // A plain container, not a <form>: the player frame is sandboxed without allow-forms,
    // where form submission (and its submit event) is blocked.
    var form = document.createElement("div");
    var fieldset = document.createElement("fieldset");
    var legend = document.createElement("legend");
    legend.textContent = params.question || "";
    fieldset.appendChild(legend);
    var name = "hocso-qc-" + self.contentId;
    (params.options || []).forEach(function (option, index) {
      var label = document.createElement("label");
      label.className = "hocso-quick-check__option";
      var input = document.createElement("input");
      input.type = "radio";
      input.name = name;
      input.value = String(index);
      input.checked = self.answer === index;
      input.addEventListener("change", function () {
        if (!self.checked) self.answer = index;
      });
      var text = document.createElement("span");
      text.textContent = option.text || "";
      label.appendChild(input);
      label.appendChild(text);
      fieldset.appendChild(label);
    });
    form.appendChild(fieldset);

    var button = document.createElement("button");
    button.type = "button";
    button.className = "hocso-quick-check__button";
    var feedback = document.createElement("p");
    feedback.className = "hocso-quick-check__feedback";
    feedback.setAttribute("role", "status");
    feedback.setAttribute("aria-live", "polite");
    form.appendChild(button);
    form.appendChild(feedback);
    root.appendChild(form);

    function render() {
      var inputs = form.querySelectorAll("input");
      for (var i = 0; i < inputs.length; i++) inputs[i].disabled = self.checked;
      button.textContent = self.checked ? (params.retryLabel || "Retry") : (params.checkLabel || "Check");
      if (self.checked) {
        var right = self.getScore() === 1;
        feedback.textContent = right ? params.correctFeedback || "" : params.wrongFeedback || "";
        feedback.className = "hocso-quick-check__feedback " + (right ? "is-right" : "is-wrong");
      } else {
        feedback.textContent = "";
        feedback.className = "hocso-quick-check__feedback";
      }
      self.trigger("resize");
    }

    button.addEventListener("click", function () {
      if (self.checked) {
        self.checked = false;
        self.answer = null;
        var inputs = form.querySelectorAll("input");
        for (var i = 0; i < inputs.length; i++) inputs[i].checked = false;
        render();
        return;
      }
      if (self.answer === null) {
        feedback.textContent = params.chooseFirst || "";
        return;
      }
      self.checked = true;
      render();
      var score = self.getScore();
      self.triggerXAPIScored(score, 1, "answered", true, score === 1);
    });
    render();
  };

  return QuickCheck;
})(H5P.EventDispatcher);

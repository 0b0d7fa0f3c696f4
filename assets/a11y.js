// Repairs two Dash 4 components whose markup fails WCAG 2.1 (axe-core), for which Dash offers no props:
//
// * dcc.Dropdown puts a tabbable <input aria-hidden="true"> in front of its button (a focus proxy that
//   hands focus on to the button): a focusable element hidden from assistive technology
//   (axe aria-hidden-focus). Here the proxy is disabled and the button itself is in the tab order.
// * dcc.RadioItems renders native radio buttons inside <label role="option"> in a role="listbox":
//   interactive controls nested in an option (nested-interactive), and a listbox without a name
//   (aria-input-field-name). Here the group becomes a role="radiogroup" named by its fieldset's legend
//   and the labels plain labels: the native radios carry the semantics and the arrow keys.
// * its open list is the same markup (role="listbox" without a name, role="option" labels around the
//   checkbox or radio that the arrow keys focus): it becomes a named group of native checkboxes (multi)
//   or a radiogroup, named after the dropdown's label.
//
// React sets these attributes only when their props change, so a fix stays until the node is replaced;
// a MutationObserver applies it again to new nodes and to attributes React writes back.
(function () {
  'use strict';

  function fixDropdown(proxy) {
    if (!proxy.disabled) proxy.disabled = true;
    var button = proxy.nextElementSibling;
    if (button && button.tagName === 'BUTTON' && button.tabIndex !== 0 && !button.disabled) button.tabIndex = 0;
  }

  function fixRadioGroup(group) {
    if (group.getAttribute('role') !== 'radiogroup') group.setAttribute('role', 'radiogroup');
    if (!group.hasAttribute('aria-labelledby')) {
      var fieldset = group.closest('fieldset');
      var legend = fieldset && fieldset.querySelector('legend');
      if (legend) {
        if (!legend.id) legend.id = (group.id || 'radiogroup') + '-legend';
        group.setAttribute('aria-labelledby', legend.id);
      }
    }
    plainLabels(group);
  }

  function plainLabels(list) {
    list.querySelectorAll('label[role], label[aria-selected]').forEach(function (label) {
      label.removeAttribute('role');
      label.removeAttribute('aria-selected');
    });
  }

  function dropdownLabel(button) {
    var control = button.closest('.control, label');
    var label = control && control.querySelector('.control-label');
    if (label && label.textContent.trim()) return label.textContent.trim();
    return button.getAttribute('aria-label') || 'Valg';
  }

  function fixOptionList(list) {
    var multi = !!list.querySelector('input[type="checkbox"]');
    var role = multi ? 'group' : 'radiogroup';
    if (list.getAttribute('role') !== role) list.setAttribute('role', role);
    if (!list.hasAttribute('aria-label')) {
      var open = document.querySelector('button.dash-dropdown[aria-expanded="true"]');
      if (open) list.setAttribute('aria-label', dropdownLabel(open));
    }
    plainLabels(list);
  }

  function repair(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll('input.dash-dropdown-focus-target').forEach(fixDropdown);
    root.querySelectorAll('.dash-dropdown-options').forEach(fixOptionList);
    root.querySelectorAll('.dash-radioitems').forEach(fixRadioGroup);
  }

  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    // before the next paint, so neither a screen reader nor axe sees the broken state for long
    Promise.resolve().then(function () {
      pending = false;
      repair(document);
    });
  }

  new MutationObserver(schedule).observe(document.documentElement, {
    childList: true, subtree: true, attributes: true,
    attributeFilter: ['role', 'aria-selected', 'tabindex'],
  });
  repair(document);
})();

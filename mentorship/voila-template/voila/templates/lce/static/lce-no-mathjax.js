/* LCE: the apps show no mathematics, so no MathJax. Voilà's page would otherwise load MathJax 3 (16 scripts,
   about 1.1 MB) as soon as the first widget label is shown and typeset every label with it. serve.py names this
   file as Voilà's MathJax URL: Voilà then uses JupyterLab's MathJax 2 typesetter, which loads this file and calls
   the few MathJax 2 functions below, which do nothing (labels keep their plain text, "$" included). */
(function () {
  "use strict";
  function nothing() {}
  window.MathJax = window.MathJax || {
    Hub: { Config: nothing, Configured: nothing, Queue: nothing, Register: { StartupHook: nothing } },
    Ajax: {}
  };
})();

"""Kernel side of the grading integrity check: a baseline of the IPython shell and a probe that compares with it.

This file is sent as source text to every grading kernel before any learner cell runs (lce_utils.courses.integrity)
and must use the standard library only (besides LCE's checks module, PINNED_MODULES, imported for the baseline).
`install()` takes the baseline and registers the probe as `sys.modules["_lce_integrity"].check`; everything the
probe calls is bound here, at install time, so that names the learner rebinds later (builtins, module attributes) do
not change how the probe itself runs. It runs in the learner's own process, so a learner who targets this code
specifically can still defeat it (see courses/README.md)."""

# Shell methods that decide how a cell is parsed, transformed, run and how its errors are reported.
SHELL_METHODS = ("run_cell", "run_cell_async", "_run_cell", "run_ast_nodes", "run_code", "transform_cell",
                 "transform_ast", "showtraceback", "_showtraceback", "showsyntaxerror", "showindentationerror",
                 "get_exception_only", "_get_exc_info", "should_run_async", "user_expressions", "_format_user_obj",
                 "_user_obj_error", "ev", "ex", "excepthook", "set_custom_exc")
# Shell attributes whose objects must stay the ones IPython created.
SHELL_OBJECTS = ("input_transformer_manager", "compile", "InteractiveTB", "SyntaxTB", "CustomTB", "display_pub",
                 "displayhook", "display_formatter", "events", "builtin_trap", "user_ns", "user_global_ns",
                 "user_module", "ast_transformers", "input_transformers_post", "custom_exceptions", "kernel",
                 "loop_runner")
KERNEL_METHODS = ("do_execute", "execute_request", "_publish_execute_input", "_publish_status", "send_response",
                  "_forward_input", "_restore_input")
KERNEL_OBJECTS = ("session", "iopub_socket", "shell", "iopub_thread")
SESSION_METHODS = ("send", "serialize", "sign", "msg", "msg_header")
SESSION_OBJECTS = ("pack", "unpack", "auth")
COMPILER_METHODS = ("__call__", "ast_parse", "cache", "get_code_name", "format_code_name", "reset_compiler_flags")
MANAGER_METHODS = ("transform_cell", "do_one_token_transform", "do_token_transforms")
# Lists of hooks: any change to them is tampering (IPython fills them before the baseline is taken).
HOOK_LISTS = ("input_transformers_cleanup", "input_transformers_line", "input_transformers_tokens",
              "input_transformers_post", "ast_transformers", "custom_exceptions")
# Modules whose functions tests call: a function in them defined by the learner is tampering.
WATCHED_MODULES = ("math", "cmath", "operator", "statistics", "numpy", "numpy.testing", "pandas", "pandas.testing",
                   "pandas.api.types", "unittest")
# LCE's own check functions (lce_utils.courses.checks), imported when the baseline is taken: every attribute of the
# module, of the classes defined in it and the code of its functions must stay the object it was then. They are
# compared by identity because lce_utils may live outside the environment's prefix (an editable install).
PINNED_MODULES = ("lce_utils.courses.checks",)
# Builtins that IPython itself adds, hides or updates while cells run.
VOLATILE_BUILTINS = ("_", "__", "___", "exit", "quit", "get_ipython", "display", "__IPYTHON__", "__builtins__",
                     "__debug__", "_ih", "_oh", "_dh", "In", "Out")


def install() -> None:
    """Take the baseline of this kernel's shell and register the probe as sys.modules['_lce_integrity']."""
    import builtins
    import inspect
    import sys
    import threading
    import types
    from typing import Any  # IPython has imported typing already: no new module in the kernel

    static = inspect.getattr_static
    missing = object()
    shell = get_ipython()  # type: ignore[name-defined]  # noqa: F821 (an IPython kernel's builtin)
    kernel = getattr(shell, "kernel", None)
    session = getattr(kernel, "session", None)
    manager = shell.input_transformer_manager
    prefixes = tuple(p for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix} if p)
    # pristine callables, bound now: the learner may rebind the builtins later
    _type, _issubclass, _isinstance, _sorted, _str, _list, _tuple, _dict, _vars, _set, _getattr, _Exception = (
        type, issubclass, isinstance, sorted, str, list, tuple, dict, vars, set, getattr, Exception)
    _len, _zip, _any = len, zip, any
    function_type, method_type, builtin_type, module_type = (
        types.FunctionType, types.MethodType, types.BuiltinFunctionType, types.ModuleType)
    gettrace, getprofile, modules = sys.gettrace, sys.getprofile, sys.modules
    builtins_module, builtins_dict = builtins, vars(builtins)

    def hook_lists() -> dict:
        return {"input_transformers_cleanup": manager.cleanup_transforms,
                "input_transformers_line": manager.line_transforms,
                "input_transformers_tokens": manager.token_transformers,
                "input_transformers_post": shell.input_transformers_post,
                "ast_transformers": shell.ast_transformers,
                "custom_exceptions": shell.custom_exceptions}

    def methods() -> dict:
        found = {}
        for label, obj, names in (("shell", shell, SHELL_METHODS), ("kernel", kernel, KERNEL_METHODS),
                                  ("kernel session", session, SESSION_METHODS),
                                  ("shell compiler", shell.compile, COMPILER_METHODS),
                                  ("input transformer manager", manager, MANAGER_METHODS)):
            if obj is not None:
                for name in names:
                    found[f"{label} method {name}"] = static(obj, name, missing)
        return found

    def objects() -> dict:
        found = {}
        for label, obj, names in (("shell", shell, SHELL_OBJECTS), ("kernel", kernel, KERNEL_OBJECTS),
                                  ("kernel session", session, SESSION_OBJECTS)):
            if obj is not None:
                for name in names:
                    try:
                        found[f"{label}.{name}"] = _getattr(obj, name)
                    except _Exception:
                        found[f"{label}.{name}"] = missing
        for name in ("excepthook", "displayhook", "breakpointhook", "modules", "meta_path", "path_hooks"):
            found[f"sys.{name}"] = _getattr(sys, name, missing)
        found["sys.gettrace()"] = gettrace()
        found["sys.getprofile()"] = getprofile()
        found["threading trace hook"] = _getattr(threading, "_trace_hook", None)
        found["threading profile hook"] = _getattr(threading, "_profile_hook", None)
        found["sys.modules['builtins']"] = modules.get("builtins")
        found["user namespace __builtins__"] = shell.user_ns.get("__builtins__", missing)
        return found

    def pinned(module_name: str, load: bool = False) -> dict:
        """label -> object of everything in a pinned module a test cell's checks run through ({} if not there)."""
        if load and module_name not in modules:
            try:
                __import__(module_name)
            except ImportError:  # a course whose kernels have no lce_utils: nothing to pin
                return {}
        module = modules.get(module_name)
        found = {f"sys.modules[{module_name!r}]": module}
        if _type(module) is not module_type:  # gone or not a module: vars() could run the learner's code
            return found
        for attr, value in _list(_vars(module).items()):
            label = f"{module_name}.{attr}"
            found[label] = value
            parts = [(label, value)]
            if _type(value) is _type and static(value, "__module__", None) == module_name:
                found[f"{label}.__bases__"] = value.__bases__
                parts += [(f"{label}.{name}", member) for name, member in _list(_vars(value).items())]
                for name, member in parts[1:]:
                    found[name] = member
            for name, member in parts:
                if _type(member) is function_type:
                    for part in ("__code__", "__defaults__", "__kwdefaults__"):
                        found[f"{name}.{part}"] = _getattr(member, part)
        return found

    base_pinned = {name: pinned(name, load=True) for name in PINNED_MODULES}  # first: importing may change sys
    base_lists = {name: (value, _tuple(value)) for name, value in hook_lists().items()}
    base_methods, base_objects = methods(), objects()
    base_builtins = _dict(builtins_dict)
    # IPython puts some names of its own in the user namespace (its `open`, which guards fds 0-2): not the learner's
    base_user = {name: shell.user_ns[name] for name in base_builtins if name in shell.user_ns}
    base_meta_path = _tuple(sys.meta_path)
    callbacks = shell.events.callbacks
    base_callbacks = {event: _tuple(funcs) for event, funcs in callbacks.items()}
    traced = []

    def audit(event: str, args: tuple) -> None:
        # a trace or profile function can skip or rewrite a check's lines and remove itself before the next probe
        if event in ("sys.settrace", "sys.setprofile"):
            traced.append(event)

    sys.addaudithook(audit)

    def among(item: object, items: tuple) -> bool:
        # by identity: `in` would call the learner's __eq__
        for other in items:
            if other is item:
                return True
        return False

    def same(now: list | tuple, before: tuple) -> bool:
        if _len(now) != _len(before):
            return False
        for a, b in _zip(now, before):
            if a is not b:
                return False
        return True

    def installed(code: types.CodeType) -> bool:
        filename = code.co_filename
        return _isinstance(filename, _str) and filename.startswith(prefixes)

    def learners(value: Any) -> bool:
        """Whether value was made by the learner's cells (not by Python, IPython or an installed package)."""
        # value: Any, as its kind is told by exact type identity (isinstance would believe a learner's __class__),
        # which mypy cannot narrow on
        kind = _type(value)
        if kind is method_type:
            value = value.__func__
            kind = _type(value)
        if kind is function_type:
            return not installed(value.__code__)
        if kind is builtin_type:
            return value.__self__ is builtins_module
        owner = value if _issubclass(kind, _type) else kind
        return static(owner, "__module__", None) == "__main__"

    def check(nonce: str, names: list) -> str:
        """A one-line answer: the nonce, then one finding per line-free string, separated by tabs."""
        found = []
        for name, (obj, items) in base_lists.items():
            now = hook_lists()[name]
            if now is not obj or not same(now, items):
                found.append(f"IPython's {name} were changed (a hook that rewrites or skips code before it runs)")
        for name, value in methods().items():
            if value is not base_methods.get(name, missing):
                found.append(f"{name} was replaced")
        for name, value in objects().items():
            if value is not base_objects.get(name, missing):
                found.append(f"{name} was replaced")
        for event, funcs in callbacks.items():
            for func in funcs:
                if not among(func, base_callbacks.get(event, ())) and learners(func):
                    found.append(f"a '{event}' event callback was registered by the notebook")
        for finder in sys.meta_path:
            if not among(finder, base_meta_path) and learners(finder):
                found.append("an import hook (sys.meta_path) was added by the notebook")
        if traced:
            found.append(f"{traced[0]} was called (a trace function can skip a check's lines)")
        current = builtins_dict
        for name, value in base_builtins.items():
            if name not in VOLATILE_BUILTINS and current.get(name, missing) is not value:
                found.append(f"the built-in {name} was replaced in the builtins module")
        namespace = shell.user_ns
        for name in names:
            if name in base_builtins and name in namespace \
                    and namespace[name] is not base_user.get(name, base_builtins[name]):
                found.append(f"the notebook rebinds the built-in name {name!s}, which this check uses")
        for module_name in WATCHED_MODULES:
            module = modules.get(module_name)
            if _type(module) is not module_type:
                if module is not None:
                    found.append(f"sys.modules[{module_name!r}] is not a module")
                continue
            for attr, value in _list(_vars(module).items()):
                if not attr.startswith("_") and learners(value):
                    found.append(f"{module_name}.{attr} was replaced by the notebook")
        for module_name, before in base_pinned.items():
            if not before:
                continue
            now = pinned(module_name)
            replaced: list = []
            for label, value in before.items():
                # a replaced class or function is named once, not again for each of its parts
                if now.get(label, missing) is not value and not _any(label.startswith(r + ".") for r in replaced):
                    replaced.append(label)
                    found.append(f"{label} was replaced by the notebook")
            for label in now:
                if label not in before and not label.endswith(".__warningregistry__"):
                    found.append(f"{label} was added by the notebook")
        unique = _sorted(_set(found))
        return "\t".join([nonce, *unique])

    probe = module_type("_lce_integrity")
    probe.__dict__["check"] = check  # the same as probe.check = check, which ModuleType's stub does not allow
    modules["_lce_integrity"] = probe

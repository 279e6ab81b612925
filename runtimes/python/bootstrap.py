# pipe's Python runtime bootstrap: imports the handler named by _HANDLER (module.function) and serves
# invocations from the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API, one at a time, until the process ends.
# Standard library only: it is copied into the execution environment as /var/runtime/bootstrap.py.
import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

API = os.environ.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")
BASE = "/2018-06-01/runtime"
TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT", "/var/task")
HANDLER = os.environ.get("_HANDLER", "")
# Lines that frame an invocation's output for the registry, written only when it asks (it wants the log).
LOG_MARKER = "\0pipe:"

_connection = None
_current_request_id = None
_markers_wanted = False


def _request(method, path, body=None, headers=None):
    global _connection
    for attempt in (0, 1):
        if _connection is None:
            host, _, port = API.rpartition(":")
            _connection = http.client.HTTPConnection(host, int(port))
        try:
            _connection.request(method, BASE + path, body=body, headers=headers or {})
            response = _connection.getresponse()
            return response.status, response.headers, response.read()
        except (http.client.HTTPException, ConnectionError):
            _connection.close()
            _connection = None
            if attempt == 1:
                raise
    raise RuntimeError("unreachable")


def _set_sys_path():
    # The precedence Lambda's Python runtime gives: the function's code, then the layers, then the runtime.
    version = "python%d.%d" % sys.version_info[:2]
    runtime = os.environ.get("AWS_EXECUTION_ENV", "").replace("AWS_Lambda_", "")
    if runtime.startswith("python"):
        version = runtime
    for entry in reversed([TASK_ROOT, "/opt/python/lib/%s/site-packages" % version, "/opt/python"]):
        if entry in sys.path:
            sys.path.remove(entry)
        sys.path.insert(0, entry)


# ---- errors, in the shape the Python runtime reports them ----


def _error_body(exc, request_id, error_type=None, message=None):
    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    # Frames of this bootstrap are the runtime's, not the function's.
    frames = [f for f in frames if f.filename != __file__]
    return {
        "errorMessage": message if message is not None else str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }


class _InitError(Exception):
    def __init__(self, error_type, message, cause=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.cause = cause


def _load_handler():
    module_name, _, function_name = HANDLER.rpartition(".")
    if not module_name or not function_name:
        raise _InitError("Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack (expected 2, got 1)" % HANDLER)
    module_path = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_path)
    except ImportError as e:
        raise _InitError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e), e)
    except SyntaxError as e:
        raise _InitError(
            "Runtime.UserCodeSyntaxError",
            "Syntax error in module '%s': %s (%s, line %s)" % (module_name, e.msg, os.path.basename(e.filename or ""), e.lineno),
            e,
        )
    handler = getattr(module, function_name, None)
    if handler is None:
        raise _InitError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_name))
    if not callable(handler):
        raise _InitError("Runtime.HandlerNotFound", "Handler '%s' on module '%s' is not callable" % (function_name, module_name))
    return handler


# ---- the context object ----


class _CognitoIdentity:
    def __init__(self, data):
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")


class _Client:
    def __init__(self, data):
        self.installation_id = data.get("installation_id")
        self.app_title = data.get("app_title")
        self.app_version_name = data.get("app_version_name")
        self.app_version_code = data.get("app_version_code")
        self.app_package_name = data.get("app_package_name")


class _ClientContext:
    def __init__(self, data):
        self.client = _Client(data.get("client") or {})
        self.custom = data.get("custom")
        self.env = data.get("env")


def _json_header(headers, name):
    value = headers.get(name)
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


class LambdaContext:
    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        identity = _json_header(headers, "Lambda-Runtime-Cognito-Identity")
        self.identity = _CognitoIdentity(identity or {})
        client_context = _json_header(headers, "Lambda-Runtime-Client-Context")
        self.client_context = _ClientContext(client_context) if client_context else None

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


# ---- logging, formatted as Lambda formats it ----


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _current_request_id or ""
        return True


def _configure_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S")
    )
    handler.formatter.converter = time.gmtime
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.WARNING)


# ---- the loop ----


def _max_memory_used():
    for name in ("/sys/fs/cgroup/memory/memory.max_usage_in_bytes", "/sys/fs/cgroup/memory.peak"):
        try:
            with open(name) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _mark_start(request_id):
    if _markers_wanted:
        sys.stdout.write("%sstart:%s\n" % (LOG_MARKER, request_id))
        sys.stdout.flush()


def _mark_end(request_id):
    if _markers_wanted:
        sys.stdout.write("%send:%s:%d\n" % (LOG_MARKER, request_id, _max_memory_used()))
        sys.stdout.flush()


def _post_error(path, body):
    _request(
        "POST",
        path,
        json.dumps(body).encode("utf-8"),
        {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": body["errorType"]},
    )


def _serve(handler):
    global _current_request_id, _markers_wanted
    while True:
        status, headers, body = _request("GET", "/invocation/next")
        if status != 200:
            raise RuntimeError("Runtime API /next answered %d" % status)
        request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        trace_id = headers.get("Lambda-Runtime-Trace-Id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        _current_request_id = request_id
        _markers_wanted = headers.get("X-Pipe-Log-Markers") == "1"
        _mark_start(request_id)
        try:
            event = json.loads(body) if body else {}
        except ValueError as e:
            _mark_end(request_id)
            _post_error("/invocation/%s/error" % request_id, _error_body(e, request_id, "Runtime.UnmarshalError"))
            continue
        try:
            result = handler(event, LambdaContext(headers))
        except Exception as e:
            error = _error_body(e, request_id)
            sys.stdout.write("[ERROR] %s: %s\nTraceback (most recent call last):\n%s" % (error["errorType"], error["errorMessage"], "".join(error["stackTrace"])))
            _mark_end(request_id)
            _post_error("/invocation/%s/error" % request_id, error)
            continue
        try:
            payload = json.dumps(result).encode("utf-8")
        except (TypeError, ValueError) as e:
            error = _error_body(e, request_id, "Runtime.MarshalError", "Unable to marshal response: %s" % e)
            error["stackTrace"] = []
            _mark_end(request_id)
            _post_error("/invocation/%s/error" % request_id, error)
            continue
        _mark_end(request_id)
        _request("POST", "/invocation/%s/response" % request_id, payload, {"Content-Type": "application/json"})
        _current_request_id = None


def main():
    _set_sys_path()
    _configure_logging()
    try:
        handler = _load_handler()
    except Exception as e:
        if isinstance(e, _InitError):
            body = _error_body(e.cause or e, "", e.error_type, e.message)
            if e.cause is None or e.error_type == "Runtime.ImportModuleError":
                body["stackTrace"] = []
        else:
            body = _error_body(e, "")
        sys.stdout.write("[ERROR] %s: %s\nTraceback (most recent call last):\n%s" % (body["errorType"], body["errorMessage"], "".join(body["stackTrace"])))
        sys.stdout.flush()
        _post_error("/init/error", body)
        sys.exit(1)
    _serve(handler)


if __name__ == "__main__":
    main()

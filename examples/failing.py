# Run it: ./exxec run examples/failing.py   (exit code 1, the traceback on stderr)
# An exception is a result, not a crash: errorType is the exception's class name.


def parse_age(text):
    age = int(text)
    if age < 0:
        raise ValueError(f"age must not be negative, got {age}")
    return age


def main():
    return parse_age("-3")

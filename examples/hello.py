# Run it: ./exxec run examples/hello.py
# main() may be sync or async; what it returns comes back as JSON.
import asyncio
import platform


async def main():
    await asyncio.sleep(0.1)  # stands for real async work
    return {"greeting": "Hello from exxec!", "language": "Python " + platform.python_version()}

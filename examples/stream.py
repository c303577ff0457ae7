# Run it: ./exxec run --stream examples/stream.py
# Each line arrives as it is printed, not when the program ends.
import time

for i in range(1, 6):
    print(f"tick {i}/5", flush=True)
    time.sleep(0.2)

_result = "done"  # without main(), the value of _result is the result

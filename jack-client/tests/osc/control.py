"""An OSC controller for phonon's control port, with python-osc: reads commands from stdin, one
a line (`/mute out1`, `/tempo 0.75`), sends each to the port given as the first argument and
prints the reply on one line: its address and arguments separated by `|`, or `timeout`."""

import sys

from pythonosc.osc_message import OscMessage
from pythonosc.udp_client import SimpleUDPClient


def argument(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def main():
    client = SimpleUDPClient("127.0.0.1", int(sys.argv[1]))
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        client.send_message(words[0], [argument(w) for w in words[1:]])
        reply = client.receive(timeout=5)
        if reply:
            message = OscMessage(reply)
            print("|".join([message.address] + [str(p) for p in message.params]), flush=True)
        else:
            print("timeout", flush=True)


if __name__ == "__main__":
    main()

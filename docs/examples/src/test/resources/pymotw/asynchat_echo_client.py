"""PyMOTW's asynchat echo client (https://pymotw.com/2/asynchat/), in Python 3 (bytes) for asynchat in 3.11.

usage: python3 asynchat_echo_client.py HOST PORT MESSAGE
Sends MESSAGE to an echo server and prints whether the same bytes came back.
"""
import asynchat
import asyncore
import socket
import sys


class EchoClient(asynchat.async_chat):
    """Sends messages to the server and receives responses."""

    # Artificially reduce buffer sizes to illustrate
    # sending and receiving partial messages.
    ac_in_buffer_size = 64
    ac_out_buffer_size = 64

    def __init__(self, host, port, message):
        self.message = message
        self.received_data = []
        asynchat.async_chat.__init__(self)
        self.create_socket(socket.AF_INET, socket.SOCK_STREAM)
        self.connect((host, port))

    def handle_connect(self):
        # Send the command
        self.push(b"ECHO %d\n" % len(self.message))
        # Send the data
        self.push_with_producer(asynchat.simple_producer(self.message, buffer_size=self.ac_out_buffer_size))
        # We expect the data to come back as-is,
        # so set a length-based terminator
        self.set_terminator(len(self.message))

    def collect_incoming_data(self, data):
        self.received_data.append(data)

    def found_terminator(self):
        received_message = b"".join(self.received_data)
        print("RECEIVED COPY OF MESSAGE" if received_message == self.message else "ERROR IN TRANSMISSION")


if __name__ == "__main__":
    EchoClient(sys.argv[1], int(sys.argv[2]), sys.argv[3].encode())
    asyncore.loop()

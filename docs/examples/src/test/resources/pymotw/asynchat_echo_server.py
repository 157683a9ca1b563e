"""PyMOTW's asynchat echo server (https://pymotw.com/2/asynchat/), in Python 3 (bytes) for asynchat in 3.11.

usage: python3 asynchat_echo_server.py
Listens on a free port of 127.0.0.1, prints the port, serves one client and exits, as PyMOTW's does.
"""
import asynchat
import asyncore
import socket


class EchoHandler(asynchat.async_chat):
    """Handles echoing messages from a single client."""

    def __init__(self, sock):
        self.received_data = []
        asynchat.async_chat.__init__(self, sock)
        # Start looking for the ECHO command
        self.process_data = self._process_command
        self.set_terminator(b"\n")

    def collect_incoming_data(self, data):
        self.received_data.append(data)

    def found_terminator(self):
        self.process_data()

    def _process_command(self):
        command = b"".join(self.received_data)
        command_verb, command_arg = command.strip().split(b" ")
        self.set_terminator(int(command_arg))
        self.process_data = self._process_message
        self.received_data = []

    def _process_message(self):
        to_echo = b"".join(self.received_data)
        self.push(to_echo)
        # Disconnect after sending the entire response
        self.close_when_done()


class EchoServer(asyncore.dispatcher):
    """Receives connections and establishes handlers for each client."""

    def __init__(self, address):
        asyncore.dispatcher.__init__(self)
        self.create_socket(socket.AF_INET, socket.SOCK_STREAM)
        self.bind(address)
        self.address = self.socket.getsockname()
        self.listen(1)

    def handle_accepted(self, sock, addr):
        EchoHandler(sock)
        self.close()  # one client at a time, as in PyMOTW


if __name__ == "__main__":
    server = EchoServer(("127.0.0.1", 0))
    print(server.address[1], flush=True)
    asyncore.loop()

"""The echo protocol in Python's asynchat, the reference loomchat follows: prints its port, then serves.

Run by AsynchatReferenceTest. It stops by itself after about 30 seconds, should the test not stop it.
"""
import asynchat
import asyncore


class Echo(asynchat.async_chat):
    def __init__(self, sock):
        super().__init__(sock)
        self.set_terminator(b"\r\n")
        self.line = []

    def collect_incoming_data(self, data):
        self.line.append(data)

    def found_terminator(self):
        self.push(b"".join(self.line) + b"\r\n")
        self.line = []


class Server(asyncore.dispatcher):
    def __init__(self):
        super().__init__()
        self.create_socket()
        self.set_reuse_addr()
        self.bind(("127.0.0.1", 0))
        self.listen(5)
        print(self.socket.getsockname()[1], flush=True)

    def handle_accepted(self, sock, addr):
        Echo(sock)


Server()
asyncore.loop(timeout=0.1, count=300)

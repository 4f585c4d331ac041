"""The listening-port check behind `stack status`, on sockets this test opens itself."""

import os
import socket

from dataplatform.cli import network_line
from dataplatform.localstack.sockets import Listener, descendants, listeners


def test_listening_sockets_are_found_with_their_address_and_whether_it_is_loopback():
    opened = []
    for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::1")):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.bind((address, 0))
        sock.listen()
        opened.append(sock)
    not_listening = socket.socket()
    not_listening.bind(("127.0.0.1", 0))
    try:
        found = {(x.address, x.port): x.loopback for x in listeners({os.getpid()})}
        assert found[("127.0.0.1", opened[0].getsockname()[1])] is True
        assert found[("0.0.0.0", opened[1].getsockname()[1])] is False
        assert found[("::1", opened[2].getsockname()[1])] is True
        assert not_listening.getsockname()[1] not in {port for _, port in found}
    finally:
        for sock in (*opened, not_listening):
            sock.close()
    assert Listener("::ffff:127.0.0.1", 1, 1).loopback and not Listener("::", 1, 1).loopback


def test_a_process_tree_holds_its_children():
    assert os.getpid() in descendants(os.getppid())


def test_the_status_line_names_each_exposed_port():
    assert network_line({"mariadb": [Listener("127.0.0.1", 3306, 1)]}) == \
        "network: every service listens on loopback only (1 listening ports)"
    line = network_line({"thriftserver": [Listener("::", 4040, 2), Listener("::ffff:127.0.0.1", 10000, 2)]})
    assert line == "network: NOT loopback only: thriftserver [::]:4040 (2 listening ports)"


def test_a_stopped_stack_says_nothing_listens():
    assert network_line({}) == "network: no service is listening"

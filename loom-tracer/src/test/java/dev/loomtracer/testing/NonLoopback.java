package dev.loomtracer.testing;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Comparator;
import java.util.List;

/**
 * An address of this machine that is not loopback, for the tests of what the debug endpoints do
 * with a client beyond loopback: a server bound there and a client whose connection comes from
 * there (the kernel routes it locally, so no network is needed, only the interface).
 *
 * <p>Invariant: never a skip. A machine without such an address fails the test that needs it,
 * naming what is missing.
 */
public final class NonLoopback {
    private NonLoopback() {}

    /** An up interface's non-loopback, non-link-local address; IPv4 first. */
    public static InetAddress address() {
        List<InetAddress> found;
        try {
            found = NetworkInterface.networkInterfaces()
                    .filter(NonLoopback::up)
                    .flatMap(NetworkInterface::inetAddresses)
                    .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress()
                            && !a.isMulticastAddress())
                    .sorted(Comparator.comparing(a -> a instanceof Inet4Address ? 0 : 1))
                    .toList();
        } catch (SocketException e) {
            throw new AssertionError("cannot list this machine's network interfaces: " + e, e);
        }
        if (found.isEmpty()) {
            throw new AssertionError("this machine has no non-loopback address (see `ip addr`): the test of a client"
                    + " beyond loopback needs one interface that is up with an address (any, even without a network)");
        }
        return found.getFirst();
    }

    /** The address as a URI host: IPv6 in brackets. */
    public static String uriHost(InetAddress a) {
        String h = a.getHostAddress();
        return h.contains(":") ? "[" + h.replaceFirst("%.*$", "") + "]" : h;
    }

    private static boolean up(NetworkInterface n) {
        try {
            return n.isUp() && !n.isLoopback();
        } catch (SocketException e) {
            return false;
        }
    }
}

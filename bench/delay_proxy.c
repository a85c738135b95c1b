/*
 * bench/delay_proxy.c: a network namespace whose only road to 127.0.0.1 of the machine adds a
 * fixed delay each way, for bench/rados_netem.py (bench/README.md, "On a simulated network").
 * This kernel has no sch_netem, so the delay is a forwarder's, not the qdisc's.
 *
 *   delay_proxy DELAY_US PORT[-PORT]...
 *
 * Makes a network namespace (unshare(CLONE_NEWNET)) with its loopback up, listens on
 * 127.0.0.1:PORT inside it for every port named (the Ceph monitor's, and Ceph's OSD and manager
 * range 6800-7300), and carries each connection accepted there to the same port on 127.0.0.1 of
 * the namespace it started in. Every chunk read is held DELAY_US microseconds before it is written
 * on, in each direction, so a round trip through it costs 2 x DELAY_US more. Byte order is kept
 * (one FIFO per direction, ordered by arrival: with one delay for all, arrival order is due
 * order), and each direction holds at most QUEUE_CAP bytes: past it the proxy stops reading that
 * side, and TCP's windows push back on the sender.
 *
 * Prints "READY" once listening; processes enter the namespace through /proc/PID/ns/net (nsenter
 * --net=..., or setns). Runs until killed. Needs CAP_SYS_ADMIN. One thread, epoll and a timerfd
 * (microsecond resolution, timer slack 1 ns: epoll_wait's millisecond timeout would be too coarse
 * for 0.25 ms).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

enum { QUEUE_CAP = 4 << 20, READ_MAX = 64 << 10, MAX_EVENTS = 64 };
enum kind { K_LISTEN, K_SOCK, K_TIMER };

struct chunk {
    struct chunk *next;
    uint64_t due; /* CLOCK_MONOTONIC ns */
    size_t len, off;
    char data[];
};

/* One direction of a connection: read from fd[i], held, written to fd[1-i]. */
struct dir {
    struct chunk *head, *tail;
    size_t queued;
    bool eof, blocked, shut;
};

struct conn;
struct tag { /* epoll's data.ptr */
    enum kind kind;
    int fd, port; /* K_LISTEN: its port */
    struct conn *conn; /* K_SOCK */
    int side;
    uint32_t mask; /* K_SOCK: the events asked now */
};

struct conn {
    struct tag tag[2]; /* 0: accepted inside the namespace, 1: connected outside */
    struct dir dir[2]; /* dir[i]: fd of tag[i] -> fd of tag[1-i] */
    bool dead;         /* closed; freed after the events at hand, which may still name it */
    struct conn *prev, *next;
};

static int ep, timer_fd, ns_root, ns_inner;
static uint64_t delay_ns, timer_armed;
static struct conn *conns;

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void loopback_up(void)
{
    struct ifreq ifr = {0};
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    strcpy(ifr.ifr_name, "lo");
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
        die("SIOCGIFFLAGS lo");
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
        die("SIOCSIFFLAGS lo");
    close(s);
}

static struct sockaddr_in loopback(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static void listen_on(int port)
{
    struct sockaddr_in a = loopback(port);
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket");
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 128) != 0)
        die("bind/listen");
    struct tag *t = calloc(1, sizeof *t);
    *t = (struct tag){.kind = K_LISTEN, .fd = fd, .port = port};
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = t};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0)
        die("epoll_ctl");
}

/* A connection to 127.0.0.1:port of the machine's namespace: a socket belongs to the namespace
 * its creator was in when it was made, so the proxy steps out for socket() alone. */
static int connect_outside(int port)
{
    struct sockaddr_in a = loopback(port);
    if (setns(ns_root, CLONE_NEWNET) != 0)
        die("setns root");
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (setns(ns_inner, CLONE_NEWNET) != 0)
        die("setns inner");
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { /* loopback: at once, or refused */
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static void conn_close(struct conn *c)
{
    for (int i = 0; i < 2; i++)
        close(c->tag[i].fd); /* also leaves epoll */
    c->dead = true;
}

static void conn_free(struct conn *c)
{
    for (int i = 0; i < 2; i++)
        for (struct chunk *k = c->dir[i].head, *n; k; k = n) {
            n = k->next;
            free(k);
        }
    if (c->prev)
        c->prev->next = c->next;
    else
        conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c);
}

/* The events each side's fd needs now: readable while its direction has room, writable while the
 * other direction waits on it. */
static void conn_arm(struct conn *c)
{
    for (int i = 0; i < 2; i++) {
        struct tag *t = &c->tag[i];
        uint32_t m = 0;
        if (!c->dir[i].eof && c->dir[i].queued < QUEUE_CAP)
            m |= EPOLLIN;
        if (c->dir[1 - i].blocked)
            m |= EPOLLOUT;
        if (m == t->mask)
            continue;
        /* out of the set when it needs nothing: a hung-up socket is reported whatever was asked */
        struct epoll_event ev = {.events = m, .data.ptr = t};
        epoll_ctl(ep, !m ? EPOLL_CTL_DEL : !t->mask ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, t->fd, &ev);
        t->mask = m;
    }
}

static void accept_all(struct tag *l)
{
    for (;;) {
        int in = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (in < 0)
            return;
        int out = connect_outside(l->port);
        if (out < 0) { /* nothing listens there outside: refuse the same way */
            close(in);
            continue;
        }
        struct conn *c = calloc(1, sizeof *c);
        int fds[2] = {in, out}, one = 1;
        for (int i = 0; i < 2; i++) {
            setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            c->tag[i] = (struct tag){.kind = K_SOCK, .fd = fds[i], .conn = c, .side = i, .mask = EPOLLIN};
            struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &c->tag[i]};
            epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
        }
        c->next = conns;
        if (conns)
            conns->prev = c;
        conns = c;
    }
}

/* Writes dir i's chunks that are due; false when the connection is gone. */
static bool flush(struct conn *c, int i, uint64_t now)
{
    struct dir *d = &c->dir[i];
    int dst = c->tag[1 - i].fd;
    d->blocked = false;
    while (d->head && d->head->due <= now) {
        struct chunk *k = d->head;
        ssize_t n = send(dst, k->data + k->off, k->len - k->off, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            d->blocked = true;
            return true;
        }
        if (n < 0) {
            conn_close(c);
            return false;
        }
        k->off += (size_t)n;
        if (k->off < k->len)
            continue;
        d->head = k->next;
        if (!d->head)
            d->tail = NULL;
        d->queued -= k->len;
        free(k);
    }
    if (!d->head && d->eof && !d->shut) { /* the sender's FIN, after its bytes */
        shutdown(dst, SHUT_WR);
        d->shut = true;
    }
    if (c->dir[0].shut && c->dir[1].shut) {
        conn_close(c);
        return false;
    }
    return true;
}

/* Reads side i into its direction's queue; false when the connection is gone. */
static bool fill(struct conn *c, int i)
{
    static char buf[READ_MAX];
    struct dir *d = &c->dir[i];
    uint64_t due = now_ns() + delay_ns;
    while (!d->eof && d->queued < QUEUE_CAP) {
        ssize_t n = recv(c->tag[i].fd, buf, sizeof buf, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        if (n < 0) {
            conn_close(c);
            return false;
        }
        if (n == 0) {
            d->eof = true;
            break;
        }
        struct chunk *k = malloc(sizeof *k + (size_t)n);
        *k = (struct chunk){.due = due, .len = (size_t)n};
        memcpy(k->data, buf, (size_t)n);
        if (d->tail)
            d->tail->next = k;
        else
            d->head = k;
        d->tail = k;
        d->queued += (size_t)n;
    }
    return d->blocked || flush(c, i, now_ns()); /* due at once when the delay is 0 */
}

/* Flushes every due direction, and sets the timer to the earliest chunk still held. */
static void tick(void)
{
    uint64_t now = now_ns(), next = 0;
    for (struct conn *c = conns, *n; c; c = n) {
        n = c->next;
        if (c->dead) {
            conn_free(c);
            continue;
        }
        bool alive = true;
        for (int i = 0; i < 2 && alive; i++)
            if (!c->dir[i].blocked)
                alive = flush(c, i, now);
        if (!alive) {
            conn_free(c);
            continue;
        }
        for (int i = 0; i < 2; i++)
            if (c->dir[i].head && !c->dir[i].blocked && (!next || c->dir[i].head->due < next))
                next = c->dir[i].head->due;
        conn_arm(c);
    }
    if (next == timer_armed)
        return;
    struct itimerspec its = {.it_value = {.tv_sec = (time_t)(next / 1000000000u),
                                          .tv_nsec = (long)(next % 1000000000u)}};
    timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &its, NULL); /* next == 0 disarms */
    timer_armed = next;
}

static void on_event(struct epoll_event *e)
{
    struct tag *t = e->data.ptr;
    if (t->kind == K_LISTEN) {
        accept_all(t);
    } else if (t->kind == K_TIMER) {
        uint64_t expirations;
        if (read(timer_fd, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
            die("read timerfd");
    } else {
        struct conn *c = t->conn;
        int i = t->side;
        if (c->dead)
            return;
        if ((e->events & (EPOLLOUT | EPOLLERR)) && c->dir[1 - i].blocked && !flush(c, 1 - i, now_ns()))
            return;
        if (e->events & (EPOLLIN | EPOLLHUP | EPOLLERR))
            fill(c, i);
    }
}

static void add_ports(const char *spec)
{
    char *dash;
    long lo = strtol(spec, &dash, 10), hi = *dash == '-' ? strtol(dash + 1, NULL, 10) : lo;
    if (lo <= 0 || hi > 65535 || hi < lo) {
        fprintf(stderr, "bad port or range: %s\n", spec);
        exit(2);
    }
    for (long p = lo; p <= hi; p++)
        listen_on((int)p);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s DELAY_US PORT[-PORT]...\n", argv[0]);
        return 2;
    }
    delay_ns = (uint64_t)(strtod(argv[1], NULL) * 1000.0);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) { /* 500 listeners and two fds per connection */
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_TIMERSLACK, 1UL);
    ns_root = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (ns_root < 0 || unshare(CLONE_NEWNET) != 0)
        die("unshare(CLONE_NEWNET)");
    ns_inner = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    loopback_up();
    if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
        die("epoll_create1");
    timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    static struct tag timer_tag = {.kind = K_TIMER};
    struct epoll_event tev = {.events = EPOLLIN, .data.ptr = &timer_tag};
    if (timer_fd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, timer_fd, &tev) != 0)
        die("timerfd");
    for (int i = 2; i < argc; i++)
        add_ports(argv[i]);
    printf("READY\n");
    fflush(stdout);
    struct epoll_event evs[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(ep, evs, MAX_EVENTS, -1);
        if (n < 0 && errno != EINTR)
            die("epoll_wait");
        for (int i = 0; i < n; i++)
            on_event(&evs[i]);
        tick();
    }
}

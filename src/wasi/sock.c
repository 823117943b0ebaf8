/*
 * sock_* calls on sockets the embedder pre-opened (kite_wasi_config_preopen_socket)
 * and on connections accepted from them. Preview1 cannot create sockets.
 */
#include "wasi/wasi.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#if !defined(MSG_NOSIGNAL)
#define MSG_NOSIGNAL 0 /* where absent, SIGPIPE is the embedder's to handle */
#endif

#define KWASI_RECV_PEEK 1u
#define KWASI_RECV_WAITALL 2u
#define KWASI_RECV_DATA_TRUNCATED 1u

/* An open descriptor that is a socket (ENOTSOCK otherwise, as the host's
 * calls say for a file or a pipe, before any rights are looked at: a file
 * never has socket rights, so ENOTCAPABLE would hide the real reason). */
static uint16_t socket_fd(kwasi_call *c, uint32_t fd, uint64_t rights, kwasi_fd **out)
{
    uint16_t e = kwasi_fd_get(c, fd, 0, out);
    if (e)
        return e;
    if ((*out)->kind != KWASI_FD_HOST || ((*out)->filetype != KWASI_FT_SOCKET_STREAM &&
                                          (*out)->filetype != KWASI_FT_SOCKET_DGRAM))
        return KWASI_ENOTSOCK;
    return kwasi_fd_get(c, fd, rights, out);
}

uint16_t kwasi_sock_accept(kwasi_call *c, const kite_val_t *args)
{
    uint32_t flags = KWASI_U32(args, 1), out = KWASI_U32(args, 2);
    kwasi_fd *f;
    uint16_t e = socket_fd(c, KWASI_U32(args, 0), KWASI_R_SOCK_ACCEPT, &f);
    if (e)
        return e;
    if (flags & ~KWASI_FDFLAG_NONBLOCK)
        return KWASI_EINVAL;
    if (!kwasi_memory(c))
        return KWASI_EFAULT;
    if (!kwasi_in(c, out, 4))
        return KWASI_EFAULT;
    int h;
    do
        h = accept(f->host, NULL, NULL);
    while (h < 0 && errno == EINTR);
    if (h < 0)
        return kwasi_errno(errno);
    int fl = fcntl(h, F_GETFL);
    if (fcntl(h, F_SETFD, FD_CLOEXEC) != 0 || fl < 0 ||
        fcntl(h, F_SETFL, flags & KWASI_FDFLAG_NONBLOCK ? fl | O_NONBLOCK : fl & ~O_NONBLOCK) != 0) {
        int err = errno;
        close(h);
        return kwasi_errno(err);
    }
    bool tty;
    uint32_t fd;
    e = kwasi_fd_add(c->wasi, h, kwasi_host_filetype(h, &tty),
                     KWASI_RIGHTS_SOCKET & ~KWASI_R_SOCK_ACCEPT, 0, &fd);
    if (!e)
        kwasi_st32(c, out, fd);
    return e;
}

uint16_t kwasi_sock_recv(kwasi_call *c, const kite_val_t *args)
{
    uint32_t riflags = KWASI_U32(args, 3), out_n = KWASI_U32(args, 4), out_fl = KWASI_U32(args, 5);
    kwasi_fd *f;
    uint16_t e = socket_fd(c, KWASI_U32(args, 0), KWASI_R_FD_READ, &f);
    if (e)
        return e;
    if (riflags & ~(KWASI_RECV_PEEK | KWASI_RECV_WAITALL))
        return KWASI_EINVAL;
    kwasi_iovs v;
    e = kwasi_iovs_get(c, KWASI_U32(args, 1), KWASI_U32(args, 2), &v);
    if (!e && (!kwasi_in(c, out_n, 4) || !kwasi_in(c, out_fl, 2)))
        e = KWASI_EFAULT;
    if (e) {
        kwasi_iovs_free(&v);
        return e;
    }
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = v.v;
    msg.msg_iovlen = (size_t)v.n;
    int fl = (riflags & KWASI_RECV_PEEK ? MSG_PEEK : 0) |
             (riflags & KWASI_RECV_WAITALL ? MSG_WAITALL : 0);
    ssize_t r;
    do
        r = recvmsg(f->host, &msg, fl);
    while (r < 0 && errno == EINTR);
    int err = errno;
    kwasi_iovs_free(&v);
    if (r < 0)
        return kwasi_errno(err);
    kwasi_st32(c, out_n, (uint32_t)r);
    kwasi_st16(c, out_fl, msg.msg_flags & MSG_TRUNC ? KWASI_RECV_DATA_TRUNCATED : 0);
    return KWASI_ESUCCESS;
}

uint16_t kwasi_sock_send(kwasi_call *c, const kite_val_t *args)
{
    uint32_t siflags = KWASI_U32(args, 3), out = KWASI_U32(args, 4);
    kwasi_fd *f;
    uint16_t e = socket_fd(c, KWASI_U32(args, 0), KWASI_R_FD_WRITE, &f);
    if (e)
        return e;
    if (siflags)
        return KWASI_EINVAL;
    kwasi_iovs v;
    e = kwasi_iovs_get(c, KWASI_U32(args, 1), KWASI_U32(args, 2), &v);
    if (!e && !kwasi_in(c, out, 4))
        e = KWASI_EFAULT;
    if (e) {
        kwasi_iovs_free(&v);
        return e;
    }
    ssize_t r = kwasi_send(f->host, &v);
    int err = errno;
    kwasi_iovs_free(&v);
    if (r < 0)
        return kwasi_errno(err);
    kwasi_st32(c, out, (uint32_t)r);
    return KWASI_ESUCCESS;
}

ssize_t kwasi_send(int host, const kwasi_iovs *v)
{
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = v->v;
    msg.msg_iovlen = (size_t)v->n;
    ssize_t r;
    do
        r = sendmsg(host, &msg, MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    return r;
}

uint16_t kwasi_sock_shutdown(kwasi_call *c, const kite_val_t *args)
{
    uint32_t how = KWASI_U32(args, 1);
    kwasi_fd *f;
    uint16_t e = socket_fd(c, KWASI_U32(args, 0), KWASI_R_SOCK_SHUTDOWN, &f);
    if (e)
        return e;
    int h;
    switch (how) {
    case 1: h = SHUT_RD; break;
    case 2: h = SHUT_WR; break;
    case 3: h = SHUT_RDWR; break;
    default: return KWASI_EINVAL;
    }
    return shutdown(f->host, h) == 0 ? KWASI_ESUCCESS : kwasi_errno(errno);
}

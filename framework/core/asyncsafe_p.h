// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

// Text formatting for the forced-exit paths (watchdog, second signal, crash handlers): into a
// fixed buffer on the stack, out with write(2). No allocation, no locks, no stdio — the thread
// that hangs or crashed may hold the allocator's or stdio's lock.

#include <QString>

#include <cerrno>
#include <csignal>
#include <cstddef>
#include <ctime>

#include <unistd.h>

namespace Mortar::Internal {

/*! Writes all of \a data to \a fd, retrying after EINTR and short writes. */
inline void writeAll(int fd, const char *data, size_t length) noexcept
{
    while (length > 0) {
        const ssize_t written = ::write(fd, data, length);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        data += written;
        length -= size_t(written);
    }
}

/*! CLOCK_MONOTONIC in ns: the clock of std::chrono::steady_clock, which the trace's \c t uses. */
inline qint64 monotonicNs() noexcept
{
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return qint64(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

/*! A short name of a signal, e.g. "SIGTERM"; null for one it does not know. */
inline const char *signalName(int signalNumber) noexcept
{
    switch (signalNumber) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGUSR1: return "SIGUSR1";
    case SIGSEGV: return "SIGSEGV";
    case SIGUSR2: return "SIGUSR2";
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGTERM: return "SIGTERM";
    default: return nullptr;
    }
}

/*! A line built in a fixed buffer; what does not fit is cut off (the line still ends well). */
class SafeLine
{
public:
    static constexpr size_t Capacity = 1024;

    SafeLine &add(const char *text) noexcept
    {
        while (text && *text)
            put(*text++);
        return *this;
    }
    SafeLine &add(qint64 number) noexcept
    {
        char digits[24];
        int count = 0;
        const bool negative = number < 0;
        quint64 value = negative ? quint64(0) - quint64(number) : quint64(number);
        do {
            digits[count++] = char('0' + value % 10);
            value /= 10;
        } while (value);
        if (negative)
            put('-');
        while (count)
            put(digits[--count]);
        return *this;
    }
    /*!
        \a text as UTF-8; in a JSON string (\a json) with quotes, backslashes and control
        characters escaped. At most \a maxBytes bytes are added: a longer text is cut at a
        character boundary — never inside a UTF-8 sequence or an escape, so the string stays
        valid — and ends in "...". It is also cut where it would leave less than TailRoom bytes
        of the line for what follows it. Reads the QString's characters in place: no allocation.
    */
    SafeLine &add(const QString &text, bool json, size_t maxBytes = 256) noexcept
    {
        static const char hex[] = "0123456789abcdef";
        const QChar *chars = text.constData();
        const qsizetype size = text.size();
        const size_t room = maxBytes > 3 ? maxBytes - 3 : 0; // for "..."
        size_t added = 0;
        for (qsizetype i = 0; i < size; ++i) {
            char32_t code = chars[i].unicode();
            if (QChar::isHighSurrogate(code) && i + 1 < size
                && QChar::isLowSurrogate(chars[i + 1].unicode())) {
                code = QChar::surrogateToUcs4(char16_t(code), chars[++i].unicode());
            } else if (QChar::isSurrogate(code)) {
                code = 0xfffd; // a lone surrogate is no character: U+FFFD, as Qt converts it
            }
            char piece[8];
            size_t length = 0;
            if (json && (code == '"' || code == '\\')) {
                piece[length++] = '\\';
                piece[length++] = char(code);
            } else if (json && (code < 0x20 || code == 0x7f)) {
                for (const char c : {'\\', 'u', '0', '0'})
                    piece[length++] = c;
                piece[length++] = hex[(code >> 4) & 0xf];
                piece[length++] = hex[code & 0xf];
            } else if (code < 0x80) {
                piece[length++] = char(code);
            } else if (code < 0x800) {
                piece[length++] = char(0xc0 | (code >> 6));
                piece[length++] = char(0x80 | (code & 0x3f));
            } else if (code < 0x10000) {
                piece[length++] = char(0xe0 | (code >> 12));
                piece[length++] = char(0x80 | ((code >> 6) & 0x3f));
                piece[length++] = char(0x80 | (code & 0x3f));
            } else {
                piece[length++] = char(0xf0 | (code >> 18));
                piece[length++] = char(0x80 | ((code >> 12) & 0x3f));
                piece[length++] = char(0x80 | ((code >> 6) & 0x3f));
                piece[length++] = char(0x80 | (code & 0x3f));
            }
            // The whole character or nothing; and the rest of the line (the string's closing
            // quote, a few more fields) must still fit.
            if (added + length > room || m_length + length + 3 > Capacity - Reserve - TailRoom) {
                add("...");
                return *this;
            }
            for (size_t k = 0; k < length; ++k)
                put(piece[k]);
            added += length;
        }
        return *this;
    }
    /*! Ends the line with \a last (e.g. "}\n"), even when the text before was cut off. */
    void finish(const char *last) noexcept
    {
        size_t length = 0;
        while (last[length])
            ++length;
        if (m_length + length > Capacity)
            m_length = Capacity - length;
        for (size_t i = 0; i < length; ++i)
            m_buffer[m_length++] = last[i];
    }

    const char *data() const noexcept { return m_buffer; }
    size_t size() const noexcept { return m_length; }
    void writeTo(int fd) const noexcept { writeAll(fd, m_buffer, m_length); }

private:
    static constexpr size_t Reserve = 8;    // room for finish()'s ending
    static constexpr size_t TailRoom = 128; // kept free by a string that is cut for the line's sake
    void put(char c) noexcept
    {
        if (m_length < Capacity - Reserve)
            m_buffer[m_length++] = c;
    }

    char m_buffer[Capacity];
    size_t m_length = 0;
};

/*!
    Writes a trace file's last line, {"seq":…,"t":…,"thread":0,<fields>}, to \a fd with
    write(2): what the trace file and the black box end with when the process is ended by force.
    \a fields (e.g. \c{"kind":"process.killed",…}) is copied as far as the line has room.
    Async-signal-safe.
*/
inline void writeFinalLine(int fd, qint64 seq, qint64 t, const SafeLine &fields) noexcept
{
    SafeLine line;
    line.add("{\"seq\":").add(seq).add(",\"t\":").add(t).add(",\"thread\":0,");
    for (size_t i = 0; i < fields.size(); ++i) {
        const char c[2] = {fields.data()[i], '\0'};
        line.add(c);
    }
    line.finish("}\n");
    line.writeTo(fd);
}

} // namespace Mortar::Internal

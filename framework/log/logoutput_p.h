// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

#include <mortar/result.h>

#include <QString>

namespace Mortar {
class Trace;
}

namespace Mortar::Internal {

/*!
    Where log lines go besides the terminal (SPEC §8): \c --quiet keeps them off stdout/stderr,
    \c{[log] file=} appends them to a file. Both act on Qt's message handler, so they cover
    every message of the process — the App's category, \c mortar.*, Qt's own — after
    QT_LOGGING_RULES decided which are written at all.

    Installs a message handler while it has something to do and restores the previous one when
    destroyed. One App at a time should use it (the handler is process-wide).
*/
class LogOutput
{
public:
    LogOutput() = default;
    ~LogOutput();
    LogOutput(const LogOutput &) = delete;
    LogOutput &operator=(const LogOutput &) = delete;

    /*! Stop (or resume) passing messages on to the previous handler, i.e. the terminal. */
    void setQuiet(bool quiet);
    /*! The framework's own warnings (categories mortar.*, not \a ownCategory, the App's, whose
        Log records them itself) are recorded in \a trace as \c log events from now on; null:
        no more. The most recent call of any LogOutput wins (the handler is process-wide). */
    void setTrace(Trace *trace, const QString &ownCategory);
    /*! Append every message to \a path from now on, one line each, with time and level. */
    Result openFile(const QString &path);
    QString fileName() const;

private:
    void update();
    bool m_installed = false;
    bool m_trace = false; // setTrace() gave one
};

/*!
    \c --debug: debug messages of the App's category \a label and of \c mortar.* are written.
    A filter rule, so QT_LOGGING_RULES (evaluated after it) can still turn a category off.
*/
void enableDebugLogging(const QString &label);

} // namespace Mortar::Internal

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/mortar_export.h>

#include <QLoggingCategory>
#include <QObject>
#include <QString>

#include <memory>

namespace Mortar {

class Trace;

namespace Internal {
class LogPrivate;
class AppPrivate;
} // namespace Internal

/*!
    \brief The App's log (\c{app.log()}): messages through the \c QLoggingCategory named after
    the App's label, so \c QT_LOGGING_RULES applies, each also recorded in the trace.

    Debug messages are off unless enabled (\c{QT_LOGGING_RULES="myapp.debug=true"}). fatal() logs
    at critical level and, unlike qFatal(), does not abort: the App goes on to its orderly close.
    Thread-safe.
*/
class MORTAR_EXPORT Log final : public QObject
{
    Q_OBJECT

public:
    enum class Level { Debug, Info, Warning, Error, Fatal };
    Q_ENUM(Level)

    ~Log() override;

    void debug(const QString &message);
    void info(const QString &message);
    void warning(const QString &message);
    void error(const QString &message);
    void fatal(const QString &message);
    void log(Level level, const QString &message);

    const QLoggingCategory &category() const;
    bool isEnabled(Level level) const;

    /*! \c debug, \c info, \c warning, \c error or \c fatal. */
    static QString levelName(Level level);

private:
    friend class Internal::LogPrivate; // create()
    Log(const QString &label, Trace *trace);
    std::unique_ptr<Internal::LogPrivate> const d;
};

} // namespace Mortar

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/mortar_export.h>

#include <QString>

namespace Mortar {

/*!
    \brief The outcome of an operation that can fail: success, or an error that says why.

    Modelled on KPluginFactory::Result. Test it like a bool; read errorString() when it is false.
    \code
    if (const auto result = app.setup(); !result)
        qWarning() << result.errorString();
    \endcode
*/
class MORTAR_EXPORT Result final
{
public:
    /*! A successful result. */
    Result() = default;

    static Result success() { return {}; }
    /*! A failed result; \a errorString names the thing and the cause. */
    static Result failure(const QString &errorString);

    explicit operator bool() const { return !m_failed; }
    bool hasError() const { return m_failed; }
    QString errorString() const { return m_errorString; }

private:
    QString m_errorString;
    bool m_failed = false;
};

} // namespace Mortar

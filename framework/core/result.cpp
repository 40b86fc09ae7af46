// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/result.h>

namespace Mortar {

Result Result::failure(const QString &errorString)
{
    Result result;
    result.m_failed = true;
    result.m_errorString = errorString;
    return result;
}

} // namespace Mortar

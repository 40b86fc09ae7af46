# SPDX-FileCopyrightText: 2026 The Mortar developers
# SPDX-License-Identifier: MIT
# Compiler settings shared by every target of the tree (not installed).

add_compile_definitions(
    QT_NO_KEYWORDS
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_URL_CAST_FROM_STRING
    QT_USE_QSTRINGBUILDER
)

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    add_compile_options(-Wall -Wextra -Wshadow)
    if(MORTAR_WARNINGS_AS_ERRORS)
        add_compile_options(-Werror)
    endif()
endif()

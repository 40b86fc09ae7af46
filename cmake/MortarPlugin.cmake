# SPDX-FileCopyrightText: 2026 The Mortar developers
# SPDX-License-Identifier: MIT
#
# mortar_add_plugin(<target> SOURCES <source>... METADATA <file.json>)
#
# Builds a Mortar plugin: a MODULE library (lib<target>.so) with AUTOMOC, linked to
# Mortar::Framework. Its root class declares
#     Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID FILE "<file.json>")
# where <file.json> is the METADATA file's name: moc looks for it next to the source and then
# in the target's include directories, so the file's directory is added to them (the JSON may
# live anywhere). moc (Qt >= 5.15) reports the JSON as a dependency of the source it embeds it
# in, so editing the metadata rebuilds the plugin; the file is also listed among the target's
# sources, which makes IDEs show it.
#
# The JSON is checked when CMake runs, and CMake runs again when it changes: for invalid JSON
# moc only warns ("Declaration will be ignored"), drops Q_PLUGIN_METADATA altogether, and the
# build succeeds with a library that is no plugin at all.
#
# Install the plugin to <prefix>/lib/<label>/plugins for the App to find it, or point
# MORTAR_PLUGIN_PATH / AppOptions::pluginDirs at its directory.
function(mortar_add_plugin target)
    cmake_parse_arguments(PARSE_ARGV 1 arg "" "METADATA" "SOURCES")
    if(arg_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "mortar_add_plugin(${target}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
    endif()
    if(NOT arg_SOURCES)
        message(FATAL_ERROR "mortar_add_plugin(${target}): SOURCES is required")
    endif()
    if(NOT arg_METADATA)
        message(FATAL_ERROR "mortar_add_plugin(${target}): METADATA is required "
                            "(the JSON file named by Q_PLUGIN_METADATA's FILE)")
    endif()
    get_filename_component(metadata "${arg_METADATA}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${metadata}")
        message(FATAL_ERROR "mortar_add_plugin(${target}): the METADATA file ${metadata} does not exist")
    endif()
    get_filename_component(metadata_dir "${metadata}" DIRECTORY)
    _mortar_check_plugin_metadata(${target} "${metadata}")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${metadata}")

    add_library(${target} MODULE ${arg_SOURCES} "${metadata}")
    set_source_files_properties("${metadata}" PROPERTIES HEADER_FILE_ONLY ON)
    set_target_properties(${target} PROPERTIES AUTOMOC ON)
    target_include_directories(${target} PRIVATE "${metadata_dir}")
    target_link_libraries(${target} PRIVATE Mortar::Framework)
endfunction()

# Fails the configuration, naming the file, if <metadata> is not a JSON object with the keys
# of SPEC §7 of the right types (what the plugin manager would refuse at run time).
function(_mortar_check_plugin_metadata target metadata)
    file(READ "${metadata}" json)
    string(JSON type ERROR_VARIABLE error TYPE "${json}")
    if(error)
        message(FATAL_ERROR "mortar_add_plugin(${target}): ${metadata} is not valid JSON: ${error}")
    endif()
    if(NOT type STREQUAL "OBJECT")
        message(FATAL_ERROR "mortar_add_plugin(${target}): ${metadata} must hold a JSON object, not ${type}")
    endif()
    foreach(key_type name:STRING version:STRING description:STRING depends:ARRAY enabledByDefault:BOOLEAN)
        string(REPLACE ":" ";" pair "${key_type}")
        list(GET pair 0 key)
        list(GET pair 1 expected)
        string(JSON actual ERROR_VARIABLE missing TYPE "${json}" ${key})
        if(NOT missing AND NOT actual STREQUAL expected)
            message(FATAL_ERROR "mortar_add_plugin(${target}): in ${metadata}, \"${key}\" must be "
                                "of type ${expected}, not ${actual}")
        endif()
    endforeach()
endfunction()

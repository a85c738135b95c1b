# server/console/embed.cmake: writes the console's files (every file of DIR) into OUT, a C
# source defining ddb_console_files (assets.h), so that ddbd serves them with no file and no network
# at run time. Run by CMakeLists.txt whenever a file of DIR changes:
#   cmake -DDIR=server/console/assets -DOUT=build/console_assets.c -P embed.cmake
file(GLOB names RELATIVE ${DIR} ${DIR}/*)
list(SORT names)
set(arrays "")
set(table "")
set(i 0)
foreach(name ${names})
  file(READ ${DIR}/${name} hex HEX)
  string(LENGTH "${hex}" n)
  math(EXPR n "${n} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  # a line break every 32 bytes (160 characters), so that the file stays readable to tools
  set(b8 "0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,")
  string(REGEX REPLACE "(${b8}${b8}${b8}${b8})" "\\1\n" bytes "${bytes}")
  string(REGEX MATCH "[^.]*$" ext "${name}")
  if(ext STREQUAL "html")
    set(ctype "text/html; charset=utf-8")
  elseif(ext STREQUAL "js")
    set(ctype "text/javascript; charset=utf-8")
  elseif(ext STREQUAL "css")
    set(ctype "text/css; charset=utf-8")
  elseif(ext STREQUAL "svg")
    set(ctype "image/svg+xml")
  elseif(ext STREQUAL "png")
    set(ctype "image/png")
  else()
    set(ctype "application/octet-stream")
  endif()
  string(APPEND arrays "static const unsigned char f${i}[] = {\n${bytes}0};\n")
  string(APPEND table "    {\"/${name}\", \"${ctype}\", f${i}, ${n}},\n")
  math(EXPR i "${i} + 1")
endforeach()
file(WRITE ${OUT}.tmp "/* written by server/console/embed.cmake from ${DIR}: do not edit */\n"
     "#include \"server/console/assets.h\"\n\n${arrays}\n"
     "const ddb_console_file ddb_console_files[] = {\n${table}};\n"
     "const size_t ddb_console_nfiles = ${i};\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
